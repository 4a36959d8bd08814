import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors/index.js';
import { pushImage, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { ociImage } from '../e2e/fixtures.js';
import { runCli, writeScript } from '../e2e/load-harness.js';
import { apiPort, digestAt, jobWhen, startSync, submitJob, writeConfig, type LogLine, type SyncProcess } from '../e2e/sync-kit.js';
import { chaosFigures } from './chaos-kit.js';

/*
 * Bad input, one table: references, config files, syncer script output, API bodies, headers and huge
 * bodies. Each case must end in a clear error that names what was wrong and where (file:line:column and
 * key, registry and line number, field path, flag or argument), and the rest of the work must be done:
 * the good line of the script is mirrored, the other registries run, the server keeps serving and a good
 * job posted after the bad ones finishes. No secret of the suite appears in any of it.
 */

const figures = chaosFigures(import.meta.filename);
const TOKEN = 'bad-input-api-token-6c1f0a';
const PULL_PASSWORD = 'bad-input-pull-pw-93be';

type Case =
  /** `picture-book copy ARGS`: exit 2, stderr matches. */
  | { kind: 'cli'; name: string; args: (dir: string) => string[]; expect: RegExp }
  /** A config file (`FILE` stands for its path): every problem is `FILE:line:col: path: message`. */
  | { kind: 'config'; name: string; yaml: string; expect: RegExp }
  /** One line of a syncer script's stdout (its line number is its place among these cases). */
  | { kind: 'script-line'; name: string; line: string; expect: RegExp }
  /** A whole syncer script that misbehaves: its registry fails with this message, the others go on. */
  | { kind: 'script'; name: string; body: string; settings?: object; expect: RegExp }
  /** A request to the running server's API. */
  | {
      kind: 'api';
      name: string;
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      status: number;
      code: string;
      expect: RegExp;
    };

const MiB = 1024 * 1024;
const reg = (extra = '') => `registries:\n  - hostname: reg.example\n    repository: mirror\n    images: [nginx]\n${extra}`;
const job = (override: object = {}) =>
  JSON.stringify({
    source: { endpoint: 'http://127.0.0.1:9/v2', image: 'library/app', ref: 'v1' },
    targets: [{ endpoint: 'http://127.0.0.1:10/v2' }],
    ...override,
  });
const jobWithSource = (source: object) =>
  job({ source: { endpoint: 'http://127.0.0.1:9/v2', image: 'library/app', ref: 'v1', ...source } });
const jobWithTarget = (target: object) => job({ targets: [{ endpoint: 'http://127.0.0.1:10/v2', ...target }] });

// A table reads best one case to a line.
// prettier-ignore
const CASES: Case[] = [
  // References given to `copy`, and its flags.
  { kind: 'cli', name: 'source reference with uppercase', args: () => ['copy', 'Bad:Ref', '127.0.0.1:9/x:1'], expect: /^picture-book: error: source: invalid reference "Bad:Ref": path component "Bad" must be lowercase$/m },
  { kind: 'cli', name: 'target reference with a short digest', args: () => ['copy', '127.0.0.1:9/x:1', '127.0.0.1:9/y@sha256:abc'], expect: /^picture-book: error: target: invalid reference "127\.0\.0\.1:9\/y@sha256:abc": digest must look like/m },
  { kind: 'cli', name: 'tag starting with "-"', args: () => ['copy', '127.0.0.1:9/x:-bad', '127.0.0.1:9/y:1'], expect: /^picture-book: error: source: invalid reference "127\.0\.0\.1:9\/x:-bad": tag "-bad" may contain only/m },
  { kind: 'cli', name: '--src-creds without a colon', args: () => ['copy', '--src-creds', 'nocolon-secret', '127.0.0.1:9/x:1', '127.0.0.1:9/y:1'], expect: /^picture-book: error: --src-creds: credentials must be "username:password" \(no ":" found\)$/m },
  { kind: 'cli', name: '--dest-authfile that does not exist', args: (dir) => ['copy', '--dest-authfile', join(dir, 'none.json'), '127.0.0.1:9/x:1', '127.0.0.1:9/y:1'], expect: /^picture-book: error: --dest-authfile: auth file not found: .*none\.json$/m },
  { kind: 'cli', name: '--platform without an architecture', args: () => ['copy', '--platform', 'linux', '127.0.0.1:9/x:1', '127.0.0.1:9/y:1'], expect: /^picture-book: error: invalid platform "linux": expected os\/arch or os\/arch\/variant$/m },
  { kind: 'cli', name: '--src-tls-verify=maybe', args: () => ['copy', '--src-tls-verify=maybe', '127.0.0.1:9/x:1', '127.0.0.1:9/y:1'], expect: /--src-tls-verify.*expected true or false, got "maybe"/ },

  // Config files.
  { kind: 'config', name: 'YAML syntax error', yaml: 'registries:\n  - hostname: [unclosed\n', expect: /^FILE:3:1: YAML syntax: / },
  { kind: 'config', name: 'tab indentation', yaml: 'registries:\n\t- hostname: reg.example\n', expect: /^FILE:2:1: YAML syntax: / },
  { kind: 'config', name: 'unknown key with a typo', yaml: reg('    hostnme: x\n'), expect: /^FILE:5:5: registries\[0\]\.hostnme: unknown key "hostnme"/ },
  { kind: 'config', name: 'cron with four fields', yaml: reg("    syncPeriod: '*/1 * * *'\n"), expect: /^FILE:5:17: registries\[0\]\.syncPeriod: cron needs 5 fields/ },
  { kind: 'config', name: 'cron minute out of range', yaml: reg("    syncPeriod: '61 * * * *'\n"), expect: /^FILE:5:17: registries\[0\]\.syncPeriod: / },
  { kind: 'config', name: 'bad image reference in images:', yaml: "registries:\n  - hostname: reg.example\n    images: [nginx, 'quay.io/CoreOS/etcd']\n", expect: /^FILE:3:21: registries\[0\]\.images\[1\]: invalid reference "quay\.io\/CoreOS\/etcd"/ },
  { kind: 'config', name: 'port as a string', yaml: `${reg()}api:\n  port: 'eighty'\n`, expect: /^FILE:6:9: api\.port: expected a number/ },
  { kind: 'config', name: 'port out of range', yaml: `${reg()}api:\n  port: 70000\n`, expect: /^FILE:6:9: api\.port: must be at most 65535/ },
  { kind: 'config', name: 'billion laughs (aliases of aliases)', yaml: `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n${reg()}`, expect: /^FILE:\d+:\d+: .*(alias|unknown key)/ },
  { kind: 'config', name: 'unset environment variable in a password', yaml: reg("    pushAuthConfig: 'bot:${PB_CHAOS_UNSET_VAR}'\n"), expect: /^FILE:5:21: environment variable "PB_CHAOS_UNSET_VAR" is not set$/ },
  { kind: 'config', name: 'shell operator in syncerScriptArgs', yaml: "registries:\n  - hostname: reg.example\n    syncerScript: /bin/true\n    syncerScriptArgs: 'a && b'\n", expect: /^FILE:4:23: registries\[0\]\.syncerScriptArgs: shell operator "&&" at character 3/ },
  { kind: 'config', name: 'negative retention', yaml: `${reg()}state:\n  retentionDays: -1\n`, expect: /^FILE:6:18: state\.retentionDays: must be greater than 0/ },
  { kind: 'config', name: 'display of the wrong kind', yaml: `${reg()}display: [spinner]\n`, expect: /^FILE:5:10: display: / },
  { kind: 'config', name: 'registries as a mapping', yaml: 'registries:\n  hostname: reg.example\n', expect: /^FILE:2:3: registries: expected a list/ },
  { kind: 'config', name: 'hostname with a scheme', yaml: "registries:\n  - hostname: 'https://reg.example'\n    images: [nginx]\n", expect: /^FILE:2:15: registries\[0\]\.hostname: .*scheme/ },
  { kind: 'config', name: 'duplicate hostname', yaml: "registries:\n  - hostname: reg.example\n    images: [nginx]\n  - hostname: reg.example\n    images: [redis]\n", expect: /^FILE:4:\d+: registries\[1\]\.hostname: .*reg\.example/ },
  { kind: 'config', name: 'a 2 MiB image reference', yaml: `registries:\n  - hostname: reg.example\n    images: ['${'a'.repeat(2 * MiB)}']\n`, expect: /^FILE:3:14: registries\[0\]\.images\[0\]: invalid reference .*longer than 255/ },
  { kind: 'config', name: 'pushAuthConfig DockerConfigJSON without an entry for the host', yaml: reg(`    pushAuthConfig: '{"auths": {"other.example": {"auth": "${Buffer.from(`u:${PULL_PASSWORD}`).toString('base64')}"}}}'\n`), expect: /^FILE:5:21: registries\[0\]\.pushAuthConfig: DockerConfigJSON has no entry for the target registry "reg\.example"/ },

  // Syncer script lines (line N is the Nth case of this kind).
  { kind: 'script-line', name: 'whitespace', line: 'Not A Reference', expect: /invalid reference: reference contains whitespace/ },
  { kind: 'script-line', name: 'uppercase path', line: '127.0.0.1:9/Team/x', expect: /path component "Team" must be lowercase/ },
  { kind: 'script-line', name: 'empty tag', line: '127.0.0.1:9/nginx:', expect: /tag/ },
  { kind: 'script-line', name: 'short digest', line: '127.0.0.1:9/nginx@sha256:abc', expect: /digest must look like/ },
  { kind: 'script-line', name: 'digest that is not hex', line: `127.0.0.1:9/x@sha256:${'g'.repeat(64)}`, expect: /digest/ },
  { kind: 'script-line', name: 'empty name', line: ':latest', expect: /invalid reference/ },
  { kind: 'script-line', name: 'URL with a scheme', line: 'https://127.0.0.1:9/x:1', expect: /scheme/ },
  { kind: 'script-line', name: 'two tags', line: '127.0.0.1:9/x:1:2', expect: /invalid reference/ },
  { kind: 'script-line', name: 'name over 255 characters', line: `127.0.0.1:9/${'n'.repeat(300)}:1`, expect: /longer than 255/ },
  { kind: 'script-line', name: 'tag over 128 characters', line: `127.0.0.1:9/x:${'t'.repeat(200)}`, expect: /tag/ },
  { kind: 'script-line', name: 'terminal escape', line: '127.0.0.1:9/x:1\u001b[2J\u001b]0;owned\u0007', expect: /invalid reference/ },
  { kind: 'script-line', name: 'credentials inside the reference', line: `puller:${PULL_PASSWORD}@127.0.0.1:9/x:1`, expect: /invalid reference/ },
  { kind: 'script-line', name: 'path traversal', line: '127.0.0.1:9/../../etc/passwd:1', expect: /invalid reference/ },
  { kind: 'script-line', name: 'double slash', line: '127.0.0.1:9//x:1', expect: /invalid reference/ },
  { kind: 'script-line', name: 'non-ASCII name', line: '127.0.0.1:9/ngïnx:1', expect: /invalid reference/ },
  { kind: 'script-line', name: 'NUL byte', line: '127.0.0.1:9/x\u0000y:1', expect: /invalid reference/ },
  { kind: 'script-line', name: 'uppercase digest hex', line: `127.0.0.1:9/nginx@sha256:${'A'.repeat(64)}`, expect: /digest/ },

  // Whole scripts.
  { kind: 'script', name: 'a line over syncerScriptMaxLineBytes', body: `printf '%s\\n' "quay.io/${'x'.repeat(5000)}:1"\n`, settings: { syncerScriptMaxLineBytes: 1024 }, expect: /printed a line longer than 1024 bytes \(line 2; syncerScriptMaxLineBytes\) and was stopped/ },
  { kind: 'script', name: 'more lines than syncerScriptMaxLines', body: 'i=0; while [ $i -lt 500 ]; do echo quay.io/x:$i; i=$((i+1)); done\n', settings: { syncerScriptMaxLines: 100 }, expect: /more than 100 lines \(syncerScriptMaxLines\) and was stopped at line 101/ },
  { kind: 'script', name: 'non-zero exit with stderr', body: 'echo "catalog unavailable" >&2\nexit 3\n', expect: /exited with code 3/ },
  { kind: 'script', name: 'past syncerScriptTimeoutSeconds', body: 'sleep 30\n', settings: { syncerScriptTimeoutSeconds: 1 }, expect: /timed out|did not finish|killed/ },

  // API bodies, headers and sizes (against the running server, authenticated unless said).
  { kind: 'api', name: 'body that is not JSON', body: '{"source":', status: 400, code: 'INVALID_BODY', expect: /JSON/ },
  { kind: 'api', name: 'empty body', body: '', status: 400, code: 'INVALID_BODY', expect: /^the body is missing: expected a JSON object body: / },
  { kind: 'api', name: 'a JSON array', body: '[1,2]', status: 400, code: 'INVALID_BODY', expect: /object/ },
  { kind: 'api', name: '__proto__ key', body: '{"__proto__": {"polluted": true}, "source": {}, "targets": []}', status: 400, code: 'INVALID_BODY', expect: /^__proto__: keys named "__proto__"/ },
  { kind: 'api', name: 'no targets', body: JSON.stringify({ source: { endpoint: 'http://127.0.0.1:9/v2', image: 'a', ref: 'v1' } }), status: 400, code: 'INVALID_BODY', expect: /^targets: Required/ },
  { kind: 'api', name: 'empty targets', body: job({ targets: [] }), status: 400, code: 'INVALID_BODY', expect: /^targets: needs at least one target$/ },
  { kind: 'api', name: 'credentials in an endpoint URL', body: jobWithTarget({ endpoint: `http://u:${PULL_PASSWORD}@127.0.0.1:10/v2` }), status: 400, code: 'INVALID_BODY', expect: /^targets\[0\]\.endpoint: credentials do not belong in the endpoint URL/ },
  { kind: 'api', name: 'ftp endpoint', body: jobWithTarget({ endpoint: 'ftp://127.0.0.1:10' }), status: 400, code: 'INVALID_BODY', expect: /^targets\[0\]\.endpoint: scheme ftp: is not supported/ },
  { kind: 'api', name: 'metadata endpoint', body: jobWithTarget({ endpoint: 'http://169.254.169.254/v2' }), status: 400, code: 'ADDRESS_REFUSED', expect: /^targets\[0\]\.endpoint: 169\.254\.169\.254 is a cloud metadata service address$/ },
  { kind: 'api', name: 'file: token URL', body: jobWithSource({ auth: { url: 'file:///etc/passwd' } }), status: 400, code: 'INVALID_BODY', expect: /^source\.auth\.url: must be an http:\/\/ or https:\/\/ URL/ },
  { kind: 'api', name: 'unknown key', body: job({ extra: 1 }), status: 400, code: 'INVALID_BODY', expect: /'extra'/ },
  { kind: 'api', name: 'bad image name', body: jobWithSource({ image: 'Upper/Case' }), status: 400, code: 'INVALID_BODY', expect: /^source\.image: invalid reference "Upper\/Case"/ },
  { kind: 'api', name: 'overwrite "maybe"', body: jobWithTarget({ overwrite: 'maybe' }), status: 400, code: 'INVALID_BODY', expect: /^targets\[0\]\.overwrite: must be true or false/ },
  { kind: 'api', name: 'one target listed twice', body: job({ targets: [{ endpoint: '127.0.0.1:10' }, { endpoint: 'http://127.0.0.1:10/v2' }] }), status: 400, code: 'INVALID_BODY', expect: /targets\[1\]\.endpoint: .* is the registry of targets\[0\]/ },
  { kind: 'api', name: 'steering header for the token service', body: jobWithSource({ auth: { url: 'http://127.0.0.1:9/t', header: { Host: 'metadata.google.internal' } } }), status: 400, code: 'INVALID_BODY', expect: /^source\.auth\.header: header "Host" may not be set/ },
  { kind: 'api', name: 'a 2 MiB body', body: jobWithSource({ image: 'a'.repeat(2 * MiB) }), status: 413, code: 'BODY_TOO_LARGE', expect: /^the request body is too large \(at most 1 MiB\)$/ },
  { kind: 'api', name: 'text/plain body', headers: { 'content-type': 'text/plain' }, body: job(), status: 400, code: 'INVALID_BODY', expect: /^expected a JSON object body/ },
  { kind: 'api', name: 'no Authorization header', headers: { authorization: '' }, method: 'GET', path: '/list?type=active', status: 401, code: 'UNAUTHORIZED', expect: /Authorization header/ },
  { kind: 'api', name: 'a wrong token', headers: { authorization: 'Bearer not-the-token' }, method: 'GET', path: '/list?type=active', status: 401, code: 'UNAUTHORIZED', expect: /token is not valid/ },
  { kind: 'api', name: 'headers over 16 KiB', headers: { 'x-filler': 'x'.repeat(20_000) }, method: 'GET', path: '/list?type=active', status: 431, code: 'HEADERS_TOO_LARGE', expect: /at most 16 KiB/ },
  { kind: 'api', name: 'unknown list type', method: 'GET', path: '/list?type=everything', status: 400, code: 'INVALID_QUERY', expect: /^type must be "configured" or "active"$/ },
  { kind: 'api', name: 'unknown ops action', method: 'POST', path: '/ops?sync=127.0.0.1:9&action=explode', status: 400, code: 'INVALID_QUERY', expect: /^action must be one of: details, pause, resume, run, prune-confirm$/ },
  { kind: 'api', name: 'ops on a registry that is not configured', method: 'POST', path: '/ops?sync=nowhere.example&action=pause', status: 404, code: 'UNKNOWN_REGISTRY', expect: /nowhere\.example/ },
  { kind: 'api', name: 'DELETE on /list', method: 'DELETE', path: '/list', status: 405, code: 'METHOD_NOT_ALLOWED', expect: /DELETE is not allowed on \/list/ },
  { kind: 'api', name: 'a job id that does not exist', method: 'GET', path: '/api/distribute/image/..%2F..%2Fetc%2Fpasswd', status: 404, code: 'JOB_NOT_FOUND', expect: /^no distribute job \.\.\/\.\.\/etc\/passwd$/ },
  { kind: 'api', name: 'invalid HTTP', method: 'RAW', body: 'GET /list HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', status: 400, code: 'BAD_REQUEST', expect: /not valid HTTP/ },
];

let source: TestRegistry;
let target: TestRegistry;
let dir: string;
let built: BuiltImage;
let server: SyncProcess;
const scriptCases = CASES.filter((c): c is Extract<Case, { kind: 'script' }> => c.kind === 'script');
/** Hosts of registries that never get an image: their scripts fail before any copy. */
const scriptHost = (i: number) => `127.0.0.${i + 2}:9`;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  built = await pushImage(ociImage, source, 'library/app:v1');
  dir = await makeTempDir('chaos-bad-input');
  const lines = CASES.flatMap((c) => (c.kind === 'script-line' ? [c.line] : []));
  // Raw bytes from a file (a heredoc would drop the NUL byte).
  await writeFile(join(dir, 'lines.txt'), `${[...lines, `${source.host}/library/app:v1`].join('\n')}\n`);
  await writeFile(join(dir, 'lines.sh'), `#!/bin/sh\nexec cat '${join(dir, 'lines.txt')}'\n`, { mode: 0o755 });
  for (const [i, c] of scriptCases.entries()) await writeScript(dir, `script-${i}.sh`, [], c.body);
  const port = await apiPort();
  const config = {
    registries: [
      { hostname: target.host, repository: 'lines', syncerScript: './lines.sh', pullAuthConfig: `puller:${PULL_PASSWORD}` },
      ...scriptCases.map((c, i) => ({ hostname: scriptHost(i), syncerScript: `./script-${i}.sh`, ...c.settings })),
    ],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: true },
  };
  server = await startSync(await writeConfig(dir, config), { port, token: TOKEN, cwd: dir });
  const hosts = [target.host, ...scriptCases.map((_, i) => scriptHost(i))];
  for (const host of hosts)
    await server.waitForLog((l) => l.event === 'sync-run-finished' && l.registry === host, `the run of ${host} to end`, 0, 60_000);
});

after(async () => {
  const started = startedSoFar({ server, source, target });
  await started.server?.kill();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

async function configProblem(yaml: string): Promise<string> {
  const file = join(dir, `config-${figures.badInputs}.yaml`);
  await writeFile(file, yaml);
  const outcome = await loadConfig(file, { PATH: process.env.PATH ?? '' }).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(outcome instanceof ConfigError, `expected a ConfigError, got ${String(outcome)}`);
  return outcome.message.split(file).join('FILE');
}

/** Sends bytes as they are (a request no HTTP client would write) and returns the raw answer. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.once('error', reject).once('close', () => resolve(answer));
  });
}

async function apiAnswer(c: Extract<Case, { kind: 'api' }>): Promise<{ status: number; body: string }> {
  if (c.method === 'RAW') {
    const raw = await rawRequest(Number(new URL(server.url).port), c.body ?? '');
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), body };
  }
  const headers: Record<string, string> = {
    authorization: `Bearer ${TOKEN}`,
    ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...c.headers,
  };
  if (headers.authorization === '') delete headers.authorization;
  const answer = await fetch(`${server.url}${c.path ?? '/api/distribute/image'}`, { method: c.method ?? 'POST', headers, body: c.body });
  return { status: answer.status, body: await answer.text() };
}

/** Runs one case and returns the error text it produced (asserted against `expect` by the caller). */
async function errorOf(c: Case, lineNumber: number): Promise<string> {
  switch (c.kind) {
    case 'cli': {
      const result = await runCli(c.args(dir), {}, dir);
      assert.equal(result.code, 2, `exit code 2 for bad usage: ${result.stderr}`);
      return result.stderr;
    }
    case 'config':
      return configProblem(c.yaml);
    case 'script-line': {
      const invalid = server.events('registry-line-invalid', target.host).find((l) => l.line === lineNumber);
      assert.ok(invalid, `line ${lineNumber} reported as invalid, for registry ${target.host}`);
      assert.match(invalid.msg, new RegExp(`line ${lineNumber}:`), 'the message names the line');
      return String(invalid.message);
    }
    case 'script': {
      const host = scriptHost(scriptCases.indexOf(c));
      const failed = server.events('registry-script-failed', host)[0];
      assert.ok(failed, `the script of ${host} reported as failed`);
      assert.match(String(failed.message), /syncer script "\.\/script-\d+\.sh"/, 'the message names the script');
      const run = server.events('sync-run-finished', host)[0];
      assert.equal(run?.result, 'failed', `the run of ${host} failed`);
      return String(failed.message);
    }
    case 'api': {
      const { status, body } = await apiAnswer(c);
      assert.equal(status, c.status, body);
      const parsed = JSON.parse(body) as { error: { code: string; message: string } };
      assert.equal(parsed.error.code, c.code);
      return parsed.error.message;
    }
  }
}

const lineNumbers = new Map<Case, number>(CASES.filter((c) => c.kind === 'script-line').map((c, i) => [c, i + 1]));

test(`the table has at least 50 bad inputs (${CASES.length})`, () => {
  assert.ok(CASES.length >= 50);
});

for (const c of CASES) {
  test(`${c.kind}: ${c.name}`, async () => {
    const message = await errorOf(c, lineNumbers.get(c) ?? 0);
    assert.match(message, c.expect);
    for (const secret of [TOKEN, PULL_PASSWORD, 'nocolon-secret']) assert.equal(message.includes(secret), false, `${secret} is quoted`);
    figures.badInputs++;
  });
}

test('the rest of the work is done: the good script line is mirrored, the server serves, a good job finishes', async () => {
  assert.equal(await digestAt(target, 'lines/library/app:v1'), built.digest, 'the valid line after the bad ones was mirrored');
  const run = server.events('sync-run-finished', target.host)[0];
  assert.deepEqual([run?.result, run?.copied], ['failed', 1], 'the run copied the good image and failed for the bad lines');
  const id = await submitJob(server, {
    source: { endpoint: `http://${source.host}/v2`, image: 'library/app', ref: 'v1' },
    targets: [{ endpoint: `http://${target.host}/v2` }],
  });
  const done = await jobWhen(server, id, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end');
  assert.equal(done.value, 'FINISHED', JSON.stringify(done));
  assert.equal(await digestAt(target, 'library/app:v1'), built.digest);
  assert.equal((await server.api('/healthz', { token: null })).status, 200);
});

test('no secret of the suite is in the server log or its stderr', () => {
  const logged = [...server.rawLines, server.stderr].join('\n');
  for (const secret of [TOKEN, PULL_PASSWORD]) assert.equal(logged.includes(secret), false, `${secret} leaked into the log`);
  const levels = new Set(server.logs.filter((l: LogLine) => l.event === 'registry-line-invalid').map((l) => l.level));
  assert.deepEqual([...levels], ['warn']);
});
