import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pushImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { startSyncPair, useQueueRig } from './queue-kit.js';
import { until, type LogLine, type SyncProcess } from './sync-kit.js';

/*
 * High availability: two `sync` servers with the same schedule against one Redis. Each tick of
 * the schedule runs on one of them only, and the registry never runs on both at once.
 */

const rig = useQueueRig('queue-ha-rig', async ({ source }) => {
  await pushImage(ociImage, source, 'library/app:v1');
});

test('two sync servers sharing a queue: every tick of a schedule runs once, on one of them, never two runs at once', async () => {
  const { source, target } = rig;
  const registry = { hostname: target.host, repository: 'mirror', images: [`${source.host}/library/app:v1`], syncPeriod: '* * * * * *' };
  const [a, b] = await startSyncPair(rig, 'queue-ha', registry);
  const finished = (s: SyncProcess): LogLine[] => s.events('sync-run-finished', target.host);
  const elsewhere = (s: SyncProcess): LogLine[] => s.events('sync-run-elsewhere', target.host);
  // Both servers see each tick: wait until six runs ended, and each server lost some ticks to the other.
  await until(() => finished(a).length + finished(b).length >= 6, 'six runs', 90_000);
  const started = [...a.events('sync-run-started', target.host), ...b.events('sync-run-started', target.host)];
  const ticks = started.map((l) => l.scheduledAt as number);
  assert.ok(
    ticks.every((t) => typeof t === 'number'),
    'every run is a scheduled one',
  );
  assert.equal(new Set(ticks).size, ticks.length, `no tick ran twice: ${ticks.join(', ')}`);
  // Never two runs at once: each run's start comes after the previous one's end, across both servers.
  const spans = [a, b]
    .flatMap((s) => {
      const ends = finished(s);
      return s.events('sync-run-started', target.host).map((l, i) => {
        const end = ends[i]?.time;
        return { start: Date.parse(String(l.time)), end: typeof end === 'string' ? Date.parse(end) : Number.NaN };
      });
    })
    .filter((span) => !Number.isNaN(span.end))
    .sort((x, y) => x.start - y.start);
  for (let i = 1; i < spans.length; i++) {
    assert.ok((spans[i]?.start ?? 0) >= (spans[i - 1]?.end ?? 0), `run ${i} started before run ${i - 1} ended`);
  }
  for (const s of [a, b]) for (const run of finished(s)) assert.equal(run.result, 'succeeded');
  await until(() => elsewhere(a).length > 0 && elsewhere(b).length > 0, 'ticks taken by the other server, on both sides', 30_000);
});
