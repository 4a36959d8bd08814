import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { makeTempDir } from '../harness/procs.js';
import { startRegistry, type TestRegistry, startedSoFar } from '../harness/index.js';
import { apiPort, jobWhen, startSync, submitJob, until, writeConfig, type SyncProcess } from './sync-kit.js';

/**
 * A hostile registry (a fake: the real one does not echo credentials) whose error bodies quote the
 * Authorization header it got and the password inside it. Nothing picture-book prints, logs,
 * answers or stores may repeat them.
 */
const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));
const CLI_PW = 'cli-Echo-Pw-4411';
const PULL_PW = 'pull-Echo-Pw-5522';
const JOB_PW = 'job-Echo-Pw-6633';
const JOB_TOKEN = 'job-static-token-7744';
const API_TOKEN = 'echo-api-token-8855';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const SECRETS = [CLI_PW, PULL_PW, JOB_PW, JOB_TOKEN, b64(`reader:${CLI_PW}`), b64(`puller:${PULL_PW}`), b64(`jobber:${JOB_PW}`)];

let echo: Server;
let echoHost = '';
let target: TestRegistry;
const echoed: string[] = [];

before(async () => {
  echo = createServer((req, res) => {
    const auth = req.headers.authorization;
    if (req.url === '/token') return void res.end(JSON.stringify({ token: JOB_TOKEN }));
    if (!auth) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="echo"' }).end();
    if (req.method === 'HEAD') {
      return void res
        .writeHead(200, {
          'docker-content-digest': `sha256:${'a'.repeat(64)}`,
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'content-length': '100',
        })
        .end();
    }
    const password = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':').slice(1).join(':') : '';
    echoed.push(auth);
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        errors: [
          { code: 'MANIFEST_INVALID', message: `you sent "Authorization: ${auth}" and the password "${password}"`, detail: { auth } },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoHost = `127.0.0.1:${(echo.address() as AddressInfo).port}`;
  target = await startRegistry();
});

let server: SyncProcess | undefined;
after(async () => {
  const started = startedSoFar({ target });
  await server?.kill();
  await started.target?.stop();
  echo.closeAllConnections();
  await new Promise((resolve) => echo.close(resolve));
});

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) assert.equal(text.includes(secret), false, `${where} shows ${secret}:\n${text}`);
}

test('copy --src-creds: the registry echoes the header and the password; stderr shows neither', async () => {
  const before = echoed.length;
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'copy', '--src-creds', `reader:${CLI_PW}`, `${echoHost}/app:v1`, `${target.host}/mirror/app:v1`],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' } },
      (error, _stdout, err) => resolve({ code: error ? 1 : 0, stderr: err }),
    );
  });
  assert.equal(code, 1);
  assert.ok(echoed.length > before, 'the registry did echo');
  assert.match(stderr, /MANIFEST_INVALID: you sent "Authorization: Basic \*\*\*" and the password "\*\*\*"/);
  assertNoSecret(stderr, 'stderr');
});

test('sync: a run and distribute jobs against the echoing registry; no log line, API answer or stored error repeats a secret', async () => {
  const dir = await makeTempDir('secret-echo');
  const port = await apiPort();
  const config = {
    registries: [{ hostname: target.host, repository: 'run', images: [`${echoHost}/app:v1`], pullAuthConfig: 'puller:${PULL_PW}' }],
    api: { enabled: true, port, enableAuth: true, authToken: '${API_TOKEN}' },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: true },
  };
  const file = await writeConfig(dir, config);
  process.env.PULL_PW = PULL_PW;
  process.env.API_TOKEN = API_TOKEN;
  try {
    server = await startSync(file, { port, token: API_TOKEN, cwd: dir });
  } finally {
    delete process.env.PULL_PW;
    delete process.env.API_TOKEN;
  }
  const targetSide = [{ endpoint: `http://${target.host}/v2` }];
  const basic = await submitJob(server, {
    source: { endpoint: `http://${echoHost}/v2`, image: 'app', ref: 'v1', auth: { basicauth: { user: 'jobber', password: JOB_PW } } },
    targets: targetSide,
  });
  const token = await submitJob(server, {
    source: { endpoint: `http://${echoHost}/v2`, image: 'app', ref: 'v1', auth: { url: `http://${echoHost}/token` } },
    targets: targetSide,
  });
  const answers: string[] = [];
  for (const id of [basic, token]) {
    const job = await jobWhen(server, id, (j) => j.value === 'FAILED' || j.value === 'FINISHED', 'to end');
    assert.equal(job.value, 'FAILED');
    assert.match(
      job.errors[0]?.message ?? '',
      /you sent "Authorization: (Basic|Bearer) \*\*\*" and the password "\*\*\*"|you sent "Authorization: Bearer \*\*\*" and the password ""/,
    );
    answers.push(JSON.stringify(job));
  }
  assert.ok(
    echoed.some((a) => a === `Bearer ${JOB_TOKEN}`),
    'the static token was echoed',
  );
  await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to end');
  const failedImage = server.events('image-failed')[0];
  assert.match(String((failedImage?.error as { message?: string } | undefined)?.message), /the password "\*\*\*"/);
  answers.push(
    (await server.api(`/ops?sync=${target.host}&action=details`)).text,
    (await server.api('/list?type=configured')).text,
    (await server.api('/metrics')).text,
  );

  assertNoSecret(answers.join('\n'), 'the API');
  assertNoSecret(server.rawLines.join('\n'), 'the server log');
  await until(() => server?.logs.some((l) => l.event === 'job-finished' && l.id === token), 'the job end to be logged');
  const db = new Database(join(dir, 'state.db'), { readonly: true });
  try {
    const stored = [
      ...db.prepare('SELECT error_message AS m FROM job_targets').all(),
      ...db.prepare('SELECT error_message AS m FROM run_images').all(),
      ...db.prepare('SELECT error AS m FROM runs').all(),
    ].map((row) => String((row as { m: unknown }).m));
    assert.ok(stored.filter((m) => m.includes('***')).length >= 3, `stored errors: ${stored.join('\n')}`);
    assertNoSecret(stored.join('\n'), 'the stored errors');
  } finally {
    db.close();
  }
});

test('load: the failed image and the summary show the echoed error without the configured password', async () => {
  const dir = await makeTempDir('secret-echo-load');
  const file = await writeConfig(dir, {
    registries: [{ hostname: target.host, repository: 'load', images: [`${echoHost}/app:v1`], pullAuthConfig: 'puller:${PULL_PW}' }],
  });
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'load', '--all', '--config', file],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent', PULL_PW } },
      (error, out, err) => resolve({ code: error ? 1 : 0, stdout: out, stderr: err }),
    );
  });
  assert.equal(code, 1);
  assert.match(stdout, /the password "\*\*\*"/);
  assertNoSecret(stdout + stderr, 'load output');
});
