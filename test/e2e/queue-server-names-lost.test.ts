import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { SharedRuns, SharedRunStore } from '../../src/queue/index.js';
import { SqliteRunStore } from '../../src/store/index.js';
import { startRedis, type TestRedis } from '../harness/index.js';
import { until } from './sync-kit.js';

/*
 * A server's alive key renewed while it holds another process's token would make two live servers
 * of one name (both counting the same runs as their own). A namesake that took the name while this
 * server's key had lapsed (the process paused, cut off, Redis restarted empty), or before Redis
 * answered this server's start, keeps it: this server stops renewing, says so once, and publishes no
 * new run under the name. Time is driven through the key itself (the test writes the other's token),
 * and the renewal is made frequent.
 */

let redis: TestRedis;
let client: Redis;

before(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  client.on('error', () => undefined); // Redis is killed on purpose below
});
after(async () => {
  client.disconnect();
  await redis.stop();
});

const ALIVE_EVERY_MS = 20;
const finish = { result: 'succeeded' as const, copied: 1, upToDate: 0, failed: 0, bytes: 10, images: [] };
const otherToken = 'another-process-token 1';

/** Waits until the renewal either reported the loss or wrote over the other's key (the defect): either ends the wait. */
async function lossOrOverwrite(key: string, lost: () => boolean): Promise<'lost' | 'overwritten'> {
  return until(
    async () => (lost() ? 'lost' : (await client.get(key)) !== otherToken ? 'overwritten' : undefined),
    'the loss to be reported or the key written over',
  );
}

test("a server whose alive key holds another process's token keeps off it, says so once, and publishes no new run under the name", async () => {
  const settings = { name: 'names-lost' };
  const server = 'host-a:/srv/state.db';
  const key = `${settings.name}:sync-server:${server}`;
  const own = SqliteRunStore.open(':memory:');
  const store = new SharedRunStore(own, new SharedRuns(client, settings, { aliveEveryMs: ALIVE_EVERY_MS }), server);
  let losses = 0;
  assert.equal(
    await store.join(
      () => assert.fail('nothing to wait for'),
      () => losses++,
    ),
    'claimed',
  );
  const before = await store.startRun('mirror.example', 'manual', 1_000);
  assert.equal(store.nameLost, false);

  // This process's key lapsed (paused for more than 30 s) and another process took the name.
  await client.set(key, otherToken);
  assert.equal(await lossOrOverwrite(key, () => losses > 0), 'lost', 'the renewal must not write over the other process key');
  assert.equal(store.nameLost, true);
  // Later renewals (none: it stopped) never write over it, and the loss is said once.
  await client.set(`${key}:probe`, '1'); // a round trip, so any renewal under way has run
  assert.equal(await client.get(key), otherToken);
  assert.equal(losses, 1);

  // A run started before the loss ends in Redis too (else it stays `running` in the others' views); a new one is not published.
  await store.finishRun(before, { ...finish, endedAt: 2_000 });
  const after = await store.startRun('mirror.example', 'manual', 3_000);
  const published = await new SharedRuns(client, settings).summaries();
  assert.deepEqual(
    published.map((r) => [r.id, r.result]),
    [[before, 'succeeded']],
  );
  assert.ok((await own.getRun(after))?.result === 'running', 'the run itself goes on, in its own history');
  await store.finishRun(after, { ...finish, endedAt: 4_000 });
  assert.equal((await new SharedRuns(client, settings).summaries()).length, 1);

  // Stopping leaves the other's key alone.
  await store.leave();
  assert.equal(await client.get(key), otherToken);
  await own.close();
});

test("Redis silent at start: once it answers with a namesake's key, the server reports the loss rather than write over it", async (t) => {
  const settings = { name: 'names-unanswered' };
  const server = 'host-b:/srv/state.db';
  const key = `${settings.name}:sync-server:${server}`;
  // The namesake's key is there (persisted) when Redis comes back.
  await client.set(key, otherToken);
  await redis.kill();
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  connection.on('error', () => undefined);
  t.after(() => connection.disconnect());
  const own = SqliteRunStore.open(':memory:');
  const store = new SharedRunStore(own, new SharedRuns(connection, settings, { aliveEveryMs: ALIVE_EVERY_MS }), server);
  let losses = 0;
  assert.equal(
    await store.join(
      () => undefined,
      () => losses++,
    ),
    'unanswered',
  );
  await redis.start();
  assert.equal(await lossOrOverwrite(key, () => losses > 0), 'lost', 'the renewal must not write over the namesake key');
  assert.equal(await client.get(key), otherToken);
  assert.equal(store.nameLost, true);
  await store.leave();
  assert.equal(await client.get(key), otherToken);
  await own.close();
});

test('a key that lapsed with nobody taking the name is renewed again: the name stays this server', async () => {
  const settings = { name: 'names-lapsed' };
  const server = 'host-c:/srv/state.db';
  const key = `${settings.name}:sync-server:${server}`;
  const own = SqliteRunStore.open(':memory:');
  const store = new SharedRunStore(own, new SharedRuns(client, settings, { aliveEveryMs: ALIVE_EVERY_MS }), server);
  let losses = 0;
  await store.join(
    () => assert.fail('nothing to wait for'),
    () => losses++,
  );
  const token = (await client.get(key))?.split(' ')[0];
  assert.ok(token);
  // Lapsed (or Redis restarted empty): the next renewal writes it again.
  await client.del(key);
  const renewed = await until(() => client.get(key).then((v) => v ?? undefined), 'the key to be written again');
  assert.equal(renewed.split(' ')[0], token);
  assert.equal(losses, 0);
  assert.equal(store.nameLost, false);
  await store.leave();
  assert.equal(await client.get(key), null);
  await own.close();
});
