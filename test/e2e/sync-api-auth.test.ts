import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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
  for (const [what, token] of [
    ['no header', null],
    ['wrong token', 'not-the-token'],
  ] as const) {
    for (const path of [
      '/list?type=active',
      '/ops?sync=127.0.0.1:9&action=details',
      '/metrics',
      '/openapi.json',
      '/api/distribute/image/x',
    ]) {
      const answer = await server.api(path, { token });
      assert.equal(answer.status, 401, `${what} ${path}`);
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer realm="picture-book"/);
      assert.equal(answer.json.error.code, 'UNAUTHORIZED');
    }
  }
  const basic = await fetch(`${server.url}/list?type=active`, {
    headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
  });
  assert.equal(basic.status, 401);
  const post = await server.api('/api/distribute/image', { method: 'POST', token: null, body: {} });
  assert.equal(post.status, 401, 'auth is checked before the body');
  assert.equal((await server.api('/list?type=active', { token: TOKEN })).status, 200);
  const health = await server.api('/healthz', { token: null });
  assert.equal(health.status, 200);
  assert.deepEqual(health.json, { status: 'ok' });
  assert.ok(server.events('api-listening')[0]?.auth === true);
  assert.equal(
    server.rawLines.some((l) => l.includes(TOKEN)),
    false,
  );
});

test('auth off on loopback: open API and no exposure warning', async () => {
  const server = await start({ enableAuth: false });
  const answer = await server.api('/list?type=active', { token: null });
  assert.equal(answer.status, 200);
  assert.equal(answer.json.synchronizers[0].state, 'scheduled');
  assert.equal(
    server.logs.some((l) => l.msg.includes('authentication is off')),
    false,
  );
  // The bundled CLI has the version built in: the document says the package's.
  const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const document = await server.api('/openapi.json', { token: null });
  assert.equal(document.json.openapi, '3.1.0');
  assert.equal(document.json.info.version, version);
  assert.ok(document.json.paths['/api/distribute/image/{id}'].get, 'the document lists the routes');
});

test('enableAuth with an empty token refuses to start, with a clear message', async () => {
  const port = await apiPort();
  const sub = await makeTempDir('sync-auth-empty');
  const server = await startSync(await writeConfig(sub, config({ port, enableAuth: true, authToken: '' })), {
    port,
    cwd: dir,
    waitFor: 'nothing',
  });
  running.push(server);
  const { code } = await server.exited;
  assert.equal(code, 2);
  assert.match(server.stderr, /api\.authToken: enableAuth is true but authToken is empty/);
  assert.equal(server.logs.length, 0, 'nothing started');
});

test('the API port already taken: sync fails before any work, exit 1, naming host:port; no run is started or written', async (t) => {
  const port = await apiPort();
  const squatter: Server = createServer();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
  const sub = await makeTempDir('sync-port-taken');
  const state = join(sub, 'state.db');
  // runOnStart with a registry: without the fix a run starts (and is written) before the bind fails.
  const busy = {
    registries: [{ hostname: '127.0.0.1:9', images: ['127.0.0.1:10/library/app:v1'] }],
    api: { enabled: true, port },
    state: { path: state },
    sync: { runOnStart: true },
  };
  const server = await startSync(await writeConfig(sub, busy), { port, cwd: sub, waitFor: 'nothing' });
  running.push(server);
  const { code } = await server.exited;
  assert.equal(code, 1);
  assert.match(
    server.stderr,
    new RegExp(
      `cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use .*api\\.host / api\\.port in ${sub.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/config\\.yaml`,
    ),
  );
  assert.equal(server.events('sync-run-started').length + server.events('image-started').length, 0, 'no run started');
  if (existsSync(state)) {
    const db = new Database(state, { readonly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n, 0, 'no run written to the history');
    } finally {
      db.close();
    }
  }
});

test('the token is accepted as "Authorization: Bearer TOKEN" and as the bare "Authorization: TOKEN"', async () => {
  const server = await start({ enableAuth: true, authToken: TOKEN });
  for (const authorization of [`Bearer ${TOKEN}`, TOKEN]) {
    const answer = await fetch(`${server.url}/list?type=active`, { headers: { authorization } });
    assert.equal(answer.status, 200, authorization);
  }
  const wrong = await fetch(`${server.url}/list?type=active`, { headers: { authorization: 'not-the-token' } });
  assert.equal(wrong.status, 401);
});
