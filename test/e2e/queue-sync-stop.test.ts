import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { apiPort, exitOf, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * A `sync --queue` server stopped (SIGTERM) while Redis cannot be reached: it must not wait for
 * Redis for ever. Real redis-server, killed by the test; no worker, so the run's one job waits in
 * the queue when Redis goes.
 */

const redises: TestRedis[] = [];
const servers: SyncProcess[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.kill()));
  await Promise.all(redises.map((r) => r.stop()));
});

test('Redis killed while a run waits for its job, then SIGTERM: sync stops after the grace (exit 0), the run recorded as cancelled', async (t) => {
  const redis = await startRedis();
  redises.push(redis);
  const probe = new Redis(redis.url);
  probe.on('error', () => undefined); // Redis is killed under it
  t.after(() => probe.disconnect());
  const home = await makeTempDir('queue-sync-stop');
  const port = await apiPort();
  const registry = { hostname: '127.0.0.1:9', images: ['127.0.0.1:10/library/app:v1'] };
  const file = await writeConfig(home, {
    registries: [registry],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    sync: { runOnStart: true, gracePeriodSeconds: 1 },
  });
  const server = await startSync(file, { port, cwd: home, args: ['--queue', redis.url] });
  servers.push(server);
  // The run's job is in the queue, waiting for a worker (there is none).
  await until(async () => ((await probe.llen('picture-book:copies:wait')) === 1 ? true : undefined), 'the run to queue its job', 30_000);
  await redis.kill();
  await server.waitForLog((l) => l.event === 'queue-unreachable', 'the server to notice Redis is gone', 0, 60_000);
  server.signal('SIGTERM');
  assert.deepEqual(await exitOf(server, 'sync'), { code: 0, signal: null }, server.stderr);
  const [run] = server.events('sync-run-finished', registry.hostname);
  assert.deepEqual([run?.result, run?.copied, run?.failed, run?.cancelled], ['cancelled', 0, 0, 1]);
  const events = server.logs.map((l) => l.event).filter((e) => e !== undefined);
  assert.ok(events.includes('queue-abandoned'), events.join(', '));
  assert.equal(events.at(-1), 'server-stopped', events.join(', '));
  assert.equal(server.events('queue-abandoned')[0]?.role, 'sync');
});

test('Redis unreachable from the start: SIGTERM stops sync all the same (exit 0), no run started', async () => {
  const redis = await startRedis();
  redises.push(redis);
  await redis.kill();
  const home = await makeTempDir('queue-sync-stop-start');
  const port = await apiPort();
  const file = await writeConfig(home, {
    registries: [{ hostname: '127.0.0.1:9', images: ['127.0.0.1:10/library/app:v1'] }],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    sync: { runOnStart: true },
  });
  const server = await startSync(file, { port, cwd: home, args: ['--queue', redis.url], waitFor: 'nothing' });
  servers.push(server);
  await server.waitForLog((l) => l.event === 'queue-unreachable', 'the server to say Redis cannot be reached', 0, 60_000);
  server.signal('SIGTERM');
  // Its start waited for Redis before it listened for the stop: the signal's default action killed it.
  assert.deepEqual(await exitOf(server, 'sync'), { code: 0, signal: null }, server.stderr);
  const events = server.logs.map((l) => l.event).filter((e) => e !== undefined);
  assert.deepEqual(
    events.filter((e) => ['signal', 'sync-run-started', 'queue-abandoned', 'server-stopped'].includes(e)),
    ['signal', 'queue-abandoned', 'server-stopped'],
  );
});
