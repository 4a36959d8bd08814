import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { apiPort, startSync, writeConfig, type SyncProcess } from './sync-kit.js';

const TOKEN = 'auth-test-token-4b8e0c';
let dir: string;
const running: SyncProcess[] = [];

/** A registry that is never contacted: no run on start, a schedule far away. */
function config(api: object) {
  return {
    registries: [{ hostname: '127.0.0.1:9', images: ['127.0.0.1:10/library/app:v1'], syncPeriod: '0 0 1 1 *' }],
    api: { enabled: true, ...api },
    state: { path: `${dir}/state-${running.length}.db` },
    sync: { runOnStart: false },
  };
}

async function start(api: object): Promise<SyncProcess> {
  const port = await apiPort();
  const sub = await makeTempDir('sync-auth-config');
  const server = await startSync(await writeConfig(sub, config({ port, ...api })), { port, cwd: dir });
  running.push(server);
  return server;
}

before(async () => {
  dir = await makeTempDir('sync-auth');
});

after(async () => {
  await Promise.all(running.map((s) => s.kill()));
});

test('auth on: no header, a wrong token, another scheme are 401 with WWW-Authenticate; the right token passes; /healthz is open', async () => {
  const server = await start({ enableAuth: true, authToken: TOKEN });
  for (const [what, token] of [['no header', null], ['wrong token', 'not-the-token']] as const) {
    for (const path of ['/list?type=active', '/ops?sync=127.0.0.1:9&action=details', '/metrics', '/openapi.json', '/api/distribute/image/x']) {
      const answer = await server.api(path, { token });
      assert.equal(answer.status, 401, `${what} ${path}`);
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer realm="picture-book"/);
      assert.equal(answer.json.error.code, 'UNAUTHORIZED');
    }
  }
  const basic = await fetch(`${server.url}/list?type=active`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
  assert.equal(basic.status, 401);
  const post = await server.api('/api/distribute/image', { method: 'POST', token: null, body: {} });
  assert.equal(post.status, 401, 'auth is checked before the body');
  assert.equal((await server.api('/list?type=active', { token: TOKEN })).status, 200);
  const health = await server.api('/healthz', { token: null });
  assert.equal(health.status, 200);
  assert.deepEqual(health.json, { status: 'ok' });
  assert.ok(server.events('api-listening')[0]?.auth === true);
  assert.equal(server.rawLines.some((l) => l.includes(TOKEN)), false);
});

test('auth off on loopback: open API and no exposure warning', async () => {
  const server = await start({ enableAuth: false });
  const answer = await server.api('/list?type=active', { token: null });
  assert.equal(answer.status, 200);
  assert.equal(answer.json.synchronizers[0].state, 'scheduled');
  assert.equal(server.logs.some((l) => /authentication is off/.test(l.msg)), false);
});

test('enableAuth with an empty token refuses to start, with a clear message', async () => {
  const port = await apiPort();
  const sub = await makeTempDir('sync-auth-empty');
  const server = await startSync(await writeConfig(sub, config({ port, enableAuth: true, authToken: '' })), { port, cwd: dir, waitFor: 'nothing' });
  running.push(server);
  const { code } = await server.exited;
  assert.equal(code, 2);
  assert.match(server.stderr, /api\.authToken: enableAuth is true but authToken is empty/);
  assert.equal(server.logs.length, 0, 'nothing started');
});
