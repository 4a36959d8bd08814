import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { pushImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { startSyncPair, useQueueRig } from './queue-kit.js';
import { until, type LogLine, type SyncProcess } from './sync-kit.js';

/*
 * Two `sync` servers on one queue: the API of either answers for the runs of both (run ids from
 * one counter in Redis, runs published there), and a run asked of a server while the registry is
 * running on another is refused, not reported started.
 */

let client: Redis | undefined;
// The test's own connection to the rig's Redis, let go after the file's tests.
after(() => client?.disconnect());
const rig = useQueueRig('queue-api-rig', async ({ source }) => {
  await pushImage(ociImage, source, 'library/app:v1');
});

test('two sync servers on one queue: each API lists and details the runs of the other; a run held elsewhere is refused', async () => {
  const { redis, source, target } = rig;
  // A schedule that never fires during the test: runs are asked for, so which server runs is known.
  const registry = { hostname: target.host, repository: 'mirror', images: [`${source.host}/library/app:v1`], syncPeriod: '0 0 1 1 *' };
  const [a, b] = await startSyncPair(rig, 'queue-api', registry);
  const ops = (s: SyncProcess, action: string) =>
    s.api(`/ops?sync=${encodeURIComponent(target.host)}&action=${action}`, { method: action === 'details' ? 'GET' : 'POST' });
  const finished = (s: SyncProcess, from = 0): LogLine | undefined => s.events('sync-run-finished', target.host)[from];

  // A run on A: B's API shows it, with its outcome and counts, in every view of the history.
  assert.equal((await ops(a, 'run')).status, 202);
  const first = await until(() => finished(a), 'the run on A to finish', 120_000);
  assert.equal(first.result, 'succeeded');
  const firstId = first.runId as number;
  const details = await ops(b, 'details');
  assert.equal(details.status, 200, details.text);
  const seen = (details.json.recentRuns as Array<{ id: number; result: string; copied: number }>).find((r) => r.id === firstId);
  assert.deepEqual(seen && { result: seen.result, copied: seen.copied }, { result: 'succeeded', copied: 1 }, details.text);
  const active = await b.api('/list?type=active');
  assert.equal(active.json.synchronizers[0].lastRun.id, firstId, active.text);
  assert.equal(active.json.synchronizers[0].runs, 1, active.text);
  const detail = await b.api(`/api/sync/runs/${firstId}`);
  assert.equal(detail.status, 200, detail.text);
  assert.equal(detail.json.run.result, 'succeeded');
  assert.deepEqual(
    (detail.json.images as Array<{ target: string; status: string }>).map((i) => i.status),
    ['copied'],
    detail.text,
  );
  const history = await b.api('/api/sync/runs?limit=10');
  assert.deepEqual(
    (history.json.runs as Array<{ id: number }>).map((r) => r.id),
    [firstId],
    history.text,
  );

  // The registry running elsewhere (its run lock held, as a server running it holds it): B refuses, starts nothing.
  client = new Redis(redis.url);
  const lock = `picture-book:run:${target.host}`;
  await client.set(lock, 'another-server:run', 'PX', 120_000);
  const refused = await ops(b, 'run');
  assert.equal(refused.status, 409, refused.text);
  assert.match(refused.json.error.message as string, /another server/);
  assert.equal(b.events('sync-run-started', target.host).length, 0, 'B started no run');
  await client.del(lock);

  // A run on B: A's API shows it too; the two runs have distinct ids.
  assert.equal((await ops(b, 'run')).status, 202);
  const second = await until(() => finished(b), 'the run on B to finish', 120_000);
  assert.equal(second.result, 'succeeded');
  const secondId = second.runId as number;
  assert.notEqual(secondId, firstId);
  const onA = await ops(a, 'details');
  assert.deepEqual(
    (onA.json.recentRuns as Array<{ id: number; upToDate: number }>).map((r) => [r.id, r.upToDate]),
    [
      [secondId, 1],
      [firstId, 0],
    ],
    onA.text,
  );
  assert.equal((await a.api(`/api/sync/runs/${secondId}`)).json.run.upToDate, 1);
});
