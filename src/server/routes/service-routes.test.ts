import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testApi } from '../api-test-kit.js';

/*
 * The two probes: /healthz is readiness (503 while the queue's Redis is down: runs wait for it),
 * /livez is liveness (200 as long as the process answers), so a Kubernetes liveness probe does not
 * restart a server that only waits for Redis. Both open without the token.
 */

test('/livez answers 200 whether the queue is reachable or not, /healthz 503 while it is not; neither needs the token', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  let reachable = false;
  api.context.queueReachable = () => reachable;

  const down = { health: await api.app.inject({ url: '/healthz' }), live: await api.app.inject({ url: '/livez' }) };
  assert.deepEqual([down.health.statusCode, down.health.json()], [503, { status: 'unavailable', queue: 'unreachable' }]);
  assert.deepEqual([down.live.statusCode, down.live.json()], [200, { status: 'ok' }]);

  reachable = true;
  const up = { health: await api.app.inject({ url: '/healthz' }), live: await api.app.inject({ url: '/livez' }) };
  assert.deepEqual([up.health.statusCode, up.health.json()], [200, { status: 'ok', queue: 'reachable' }]);
  assert.deepEqual([up.live.statusCode, up.live.json()], [200, { status: 'ok' }]);
});

test("/healthz answers 503 once another process took the server's name in the queue, with Redis up or down; /livez stays 200", async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  let reachable = true;
  api.context.queueReachable = () => reachable;
  api.context.serverNameLost = () => true;

  const lost = { health: await api.app.inject({ url: '/healthz' }), live: await api.app.inject({ url: '/livez' }) };
  assert.deepEqual([lost.health.statusCode, lost.health.json()], [503, { status: 'unavailable', serverName: 'lost' }]);
  assert.deepEqual([lost.live.statusCode, lost.live.json()], [200, { status: 'ok' }]);
  reachable = false;
  const both = await api.app.inject({ url: '/healthz' });
  assert.deepEqual([both.statusCode, both.json()], [503, { status: 'unavailable', queue: 'unreachable', serverName: 'lost' }]);
});

test('/livez answers 200 while the server is still starting (every other route but /healthz answers 503 STARTING)', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  api.context.starting = () => true;
  assert.equal((await api.app.inject({ url: '/livez' })).statusCode, 200);
  const list = await api.app.inject({ url: '/list?type=active', headers: api.auth });
  assert.deepEqual([list.statusCode, list.json().error.code], [503, 'STARTING']);
});
