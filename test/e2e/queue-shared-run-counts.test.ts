import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { SharedRuns, SharedRunStore } from '../../src/queue/index.js';
import { SqliteRunStore } from '../../src/store/index.js';
import { startRedis, type TestRedis } from '../harness/index.js';

/*
 * A registry's run count on a server sharing a queue counts each run once: a run this server
 * recorded that Redis also shows under another server name (the server was renamed: a new host
 * name or state.path) is its own, not another server's.
 */

let redis: TestRedis;
let client: Redis;

before(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
after(async () => {
  client.disconnect();
  await redis.stop();
});

const finish = { result: 'succeeded' as const, copied: 1, upToDate: 0, failed: 0, bytes: 10, images: [] };

test('a run counted by its own server and published under its old name is counted once; another server runs count too', async () => {
  const settings = { name: 'run-counts' };
  const registry = 'mirror.example';
  const own = SqliteRunStore.open(':memory:');
  const elsewhere = SqliteRunStore.open(':memory:');
  const before = new SharedRunStore(own, new SharedRuns(client, settings), 'old-host:/srv/state.db');
  const first = await before.startRun(registry, 'manual', 1_000);
  await before.finishRun(first, { ...finish, endedAt: 2_000 });
  // The same store, its server renamed (another host name): its first run is in Redis under the old name.
  const renamed = new SharedRunStore(own, new SharedRuns(client, settings), 'new-host:/srv/state.db');
  const second = await renamed.startRun(registry, 'manual', 3_000);
  await renamed.finishRun(second, { ...finish, endedAt: 4_000 });
  const other = new SharedRunStore(elsewhere, new SharedRuns(client, settings), 'other-host:/srv/state.db');
  const third = await other.startRun(registry, 'schedule', 5_000);
  await other.finishRun(third, { ...finish, endedAt: 6_000 });

  assert.deepEqual(
    (await renamed.listRuns(registry, 10)).map((r) => r.id),
    [third, second, first],
  );
  const summary = await renamed.registrySummary(registry);
  assert.equal(summary.runs, 3, 'its two runs once each, and the other server run');
  assert.equal(summary.lastRun?.id, third);
  assert.equal((await other.registrySummary(registry)).runs, 3);
  await Promise.all([own.close(), elsewhere.close()]);
});
