import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { API_TOKEN, testApi } from '../../src/server/api-test-kit.js';
import { pushImage, startFaultProxy, startRegistry, type FaultProxy, type TestRegistry, startedSoFar } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { ociImage } from '../e2e/fixtures.js';
import { writeScript } from '../e2e/load-harness.js';
import { apiPort, jobWhen, startSync, submitJob, writeConfig, type SyncProcess } from '../e2e/sync-kit.js';
import { concrete, routesOf, type Route } from './api-routes.js';
import { chaosFigures } from './chaos-kit.js';

/*
 * The API's guard: every route of the server's own route table but /healthz and the dashboard's page
 * and files (they hold no data) refuses a missing or wrong token (so a new route cannot forget it),
 * however its path is spelled; and the secrets configured for a real `sync` that ran images and jobs, failures included (one registry error body echoing the
 * password it got), appear in no log line, stderr, API answer, /metrics, /openapi.json, error message
 * or SQLite file (db, -wal, -shm).
 */

const figures = chaosFigures(import.meta.filename);

/** The routes open without the token: the readiness and liveness probes, and the dashboard's page and its files (no data; see below). */
const OPEN = ['/healthz', '/livez', '/', '/ui', '/ui/', '/ui/:file'];

test("every route but /healthz and the dashboard's page, from the route table, refuses a missing or wrong token, in every spelling of its path", async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  await api.app.ready();
  const routes = routesOf(api.app.printRoutes({ commonPrefix: false }));
  const paths = new Set(routes.map((r) => r.path));
  for (const known of ['/healthz', '/metrics', '/openapi.json', '/list', '/ops', '/api/distribute/image', '/api/distribute/image/:id'])
    assert.ok(paths.has(known), `the table lists ${known}: ${[...paths].join(', ')}`);
  const refusals: Array<Record<string, string>> = [
    {},
    { authorization: 'Bearer wrong-token' },
    { authorization: 'wrong-token' },
    { authorization: `Basic ${Buffer.from(`x:${API_TOKEN}`).toString('base64')}` },
    { authorization: `Bearer ${API_TOKEN}x` },
    { authorization: 'Bearer' },
  ];
  const guarded: Route[] = routes.filter((r) => !OPEN.includes(r.path));
  for (const open of OPEN) assert.ok(paths.has(open), `the table lists ${open}`);
  for (const route of guarded) {
    const url = concrete(route.path);
    const spellings = [
      url,
      `${url}/`,
      `/${url}`,
      `${url}?x=/healthz`,
      `/healthz/..${url}`,
      `/healthz%2F..${url}`,
      `/./${url.slice(1)}`,
      url.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
      url.toUpperCase(),
      // Through the dashboard's open paths.
      `/ui/..${url}`,
      `/ui/%2e%2e${url}`,
      `/ui/%2F..${url}`,
    ];
    for (const path of spellings) {
      for (const headers of refusals) {
        const answer = await api.app.inject({
          method: route.method as 'GET',
          url: path,
          headers: { ...headers, ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          ...(route.method === 'POST' ? { payload: '{}' } : {}),
        });
        assert.equal(
          answer.statusCode,
          401,
          `${route.method} ${path} with ${JSON.stringify(headers)} answered ${answer.statusCode}: ${answer.body}`,
        );
      }
    }
    // The dashboard's live stream stays open while the server runs: its HEAD says the token lets it in.
    const method = route.path === '/api/sync/live' ? 'HEAD' : route.method;
    const allowed = await api.app.inject({ method: method as 'GET', url, headers: api.auth });
    assert.notEqual(allowed.statusCode, 401, `${route.method} ${url} with the token`);
    figures.routesGuarded++;
  }
  assert.ok(figures.routesGuarded >= 10, `${figures.routesGuarded} routes (method and path) checked`);
  const health = await api.app.inject({ url: '/healthz' });
  assert.equal(health.statusCode, 200, '/healthz stays open');
  assert.equal((await api.app.inject({ url: '/livez' })).statusCode, 200, '/livez stays open');
});

// --- Secrets never leave: a real sync with runs, jobs and failures ---

const SECRETS = {
  apiToken: 'guard-api-token-8d4c2e1b',
  sourcePassword: 'guard-source-pw-51ac9f',
  targetPassword: 'guard-target-pw-7e03b2',
  scriptKey: 'guard-script-key-c6d7a0',
  jobPassword: 'guard-job-wrong-pw-2f9e44',
};
const USER = 'tester';

let source: TestRegistry;
let target: TestRegistry;
let targetProxy: FaultProxy;
let dir: string;
let server: SyncProcess;
const answers: string[] = [];

before(async () => {
  [source, target] = await Promise.all([
    startRegistry({ auth: 'htpasswd', username: USER, password: SECRETS.sourcePassword }),
    startRegistry({ auth: 'htpasswd', username: USER, password: SECRETS.targetPassword }),
  ]);
  targetProxy = await startFaultProxy(target);
  await pushImage(ociImage, source, 'library/app:v1');
  await pushImage(ociImage, source, 'library/echo:v1');
  dir = await makeTempDir('chaos-guard');
  // The script prints its arguments to stderr and fails: the secret in its arguments reaches the stderr tail.
  await writeScript(dir, 'echo-args.sh', [], 'echo "listing with $*" >&2\nexit 4');
});

after(async () => {
  const started = startedSoFar({ server, targetProxy, source, target });
  await started.server?.kill();
  await started.targetProxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

/** What a registry that quotes what it was sent would answer. */
function echoBody(password: string): string {
  const basic = Buffer.from(`${USER}:${password}`).toString('base64');
  return JSON.stringify({
    errors: [{ code: 'DENIED', message: `request with Authorization: Basic ${basic} (password=${password}) refused` }],
  });
}

/** Every form a secret could take in text: as written, base64 alone and as `user:secret`, URL-encoded. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(`${USER}:${secret}`).toString('base64'), encodeURIComponent(secret)];
}

test('a sync with runs, jobs and failures: no configured or job secret in any log line, stderr, answer, /metrics, /openapi.json, error or SQLite file', async () => {
  const port = await apiPort();
  const echoPath = /\/v2\/guard\/library\/echo\/manifests\//;
  targetProxy.addFault({
    method: 'PUT',
    pathPattern: echoPath,
    times: 100,
    action: { kind: 'status', status: 400, body: echoBody(SECRETS.targetPassword) },
  });
  const config = {
    registries: [
      {
        hostname: targetProxy.host,
        repository: 'guard',
        pullAuthConfig: `${USER}:\${PB_GUARD_SOURCE_PW}`,
        pushAuthConfig: `${USER}:\${PB_GUARD_TARGET_PW}`,
        images: [`${source.host}/library/app:v1`, `${source.host}/library/echo:v1`, `${source.host}/library/missing:v1`],
      },
      { hostname: '127.0.0.1:9', syncerScript: './echo-args.sh', syncerScriptArgs: '--key ${PB_GUARD_SCRIPT_KEY}' },
    ],
    api: { enabled: true, port, enableAuth: true, authToken: '${PB_GUARD_API_TOKEN}' },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: true },
  };
  const env = {
    PB_GUARD_SOURCE_PW: SECRETS.sourcePassword,
    PB_GUARD_TARGET_PW: SECRETS.targetPassword,
    PB_GUARD_SCRIPT_KEY: SECRETS.scriptKey,
    PB_GUARD_API_TOKEN: SECRETS.apiToken,
  };
  Object.assign(process.env, env); // startSync passes the test process's environment on
  server = await startSync(await writeConfig(dir, config), { port, token: SECRETS.apiToken, cwd: dir });
  for (const host of [targetProxy.host, '127.0.0.1:9'])
    await server.waitForLog((l) => l.event === 'sync-run-finished' && l.registry === host, `the run of ${host}`, 0, 60_000);

  const endpoint = (host: string) => `http://${host}/v2`;
  const sourceSide = {
    endpoint: endpoint(source.host),
    image: 'library/app',
    ref: 'v1',
    auth: { basicauth: { user: USER, password: SECRETS.sourcePassword } },
  };
  const jobs = [
    await submitJob(server, {
      source: sourceSide,
      targets: [{ endpoint: endpoint(target.host), auth: { basicauth: { user: USER, password: SECRETS.targetPassword } } }],
    }),
    await submitJob(server, {
      source: sourceSide,
      targets: [{ endpoint: endpoint(target.host), auth: { basicauth: { user: USER, password: SECRETS.jobPassword } } }],
    }),
    await submitJob(server, {
      source: { ...sourceSide, image: 'library/echo' },
      targets: [{ endpoint: endpoint(targetProxy.host), auth: { basicauth: { user: USER, password: SECRETS.targetPassword } } }],
    }),
  ];
  targetProxy.addFault({
    method: 'PUT',
    pathPattern: /\/v2\/library\/echo\/manifests\//,
    times: 100,
    action: { kind: 'status', status: 400, body: echoBody(SECRETS.targetPassword) },
  });
  const ended = [];
  for (const id of jobs) ended.push(await jobWhen(server, id, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end', [], 60_000));
  assert.deepEqual(
    ended.map((j) => j.value),
    ['FINISHED', 'FAILED', 'FAILED'],
    JSON.stringify(ended),
  );

  // What the failures said (scrubbed), so the test knows the echo really reached the messages.
  const run = server
    .events('image-failed')
    .map((l) => l.msg)
    .join('\n');
  assert.match(run, /refused|DENIED/, 'the echoing registry error reached the run log');
  assert.match(JSON.stringify(ended[2]?.errors), /\*\*\*/, 'the echoed password was masked in the job error');

  for (const path of [
    '/list?type=configured',
    '/list?type=active',
    `/ops?sync=${targetProxy.host}&action=details`,
    '/ops?sync=127.0.0.1:9&action=details',
    '/api/distribute/image',
    ...jobs.map((id) => `/api/distribute/image/${id}`),
    '/metrics',
    '/openapi.json',
    '/nothing-here',
    '/api/sync/overview',
    '/api/sync/runs',
    '/api/sync/runs/1',
    '/api/sync/runs/2',
    // The dashboard's page and script are open: they must hold nothing configured.
    '/ui/',
    '/ui/app.js',
  ]) {
    const answer = await server.api(path);
    answers.push(`${path}: ${answer.status} ${answer.text}`);
  }
  const files = ['state.db', 'state.db-wal', 'state.db-shm'].map((name) => join(dir, name));
  const whileRunning = files.filter(existsSync).map((file) => [file, readFileSync(file).toString('latin1')]);
  assert.equal((await server.stop()).code, 0);
  const afterStop = files.filter(existsSync).map((file) => [`${file} (after the stop)`, readFileSync(file).toString('latin1')]);

  const places: Array<[string, string]> = [
    ['server log (stdout)', server.rawLines.join('\n')],
    ['server stderr', server.stderr],
    ...answers.map((a): [string, string] => [`API answer ${a.slice(0, a.indexOf(':'))}`, a]),
    ...(whileRunning as Array<[string, string]>),
    ...(afterStop as Array<[string, string]>),
  ];
  assert.ok(whileRunning.length >= 2, 'the database and its WAL were read while the server ran');
  const leaks: string[] = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    for (const form of forms(secret)) {
      for (const [place, text] of places) {
        figures.secretsChecked++;
        if (text.includes(form)) leaks.push(`${name} (as "${form}") in ${place}`);
      }
    }
  }
  figures.secretsLeaked = leaks.length;
  assert.deepEqual(leaks, []);
  assert.ok(
    server.rawLines.some((l) => l.includes('***')),
    'the log did mask something: the secrets were there to leak',
  );
});
