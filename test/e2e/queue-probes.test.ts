import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startRedis, type TestRedis } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { apiPort, idleRegistry, startSync, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * The server's two probes with a real redis-server stopped: /healthz (readiness) answers 503 while
 * the queue's Redis is down, /livez (liveness) keeps answering 200, so a Kubernetes liveness probe
 * does not restart a server that only waits for Redis. Neither needs the API token.
 */

const TOKEN = 'probe-test-token-6c1f9a';
let redis: TestRedis;
let server: SyncProcess | undefined;

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await server?.kill();
  await redis.stop();
});

test('Redis stopped: /healthz answers 503, /livez 200; Redis back: both 200; no token needed', async () => {
  const dir = await makeTempDir('queue-probes');
  const port = await apiPort();
  const config = {
    registries: [idleRegistry],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: false },
    queue: { url: redis.url },
  };
  server = await startSync(await writeConfig(dir, config), { port, token: TOKEN, cwd: dir });
  const open = { token: null };
  const upFirst = await server.api('/healthz', open);
  assert.deepEqual([upFirst.status, upFirst.json], [200, { status: 'ok', queue: 'reachable' }]);

  await redis.kill();
  await server.waitForLog((l) => l.event === 'queue-unreachable', 'the server to notice Redis is gone', 0, 60_000);
  const health = await server.api('/healthz', open);
  assert.deepEqual([health.status, health.json], [503, { status: 'unavailable', queue: 'unreachable' }]);
  const live = await server.api('/livez', open);
  assert.deepEqual([live.status, live.json], [200, { status: 'ok' }]);

  const seen = server.logs.length;
  await redis.start();
  await server.waitForLog((l) => l.event === 'queue-reachable', 'the server to see Redis again', seen, 60_000);
  const back = await server.api('/healthz', open);
  assert.deepEqual([back.status, back.json], [200, { status: 'ok', queue: 'reachable' }]);
  assert.deepEqual((await server.api('/livez', open)).status, 200);
});
