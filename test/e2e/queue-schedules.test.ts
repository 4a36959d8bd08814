import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startedSoFar, startRedis, startRegistry, type TestRedis, type TestRegistry } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { startWorker } from './queue-kit.js';
import { apiPort, startSync, until, writeConfig, type LogLine, type SyncProcess } from './sync-kit.js';

/*
 * High availability: two `sync` servers with the same schedule against one Redis. Each tick of
 * the schedule runs on one of them only, and the registry never runs on both at once.
 */

let redis: TestRedis;
let source: TestRegistry;
let target: TestRegistry;
const processes: SyncProcess[] = [];

before(async () => {
  [redis, source, target] = await Promise.all([startRedis(), startRegistry(), startRegistry()]);
  await pushImage(ociImage, source, 'library/app:v1');
});

after(async () => {
  const started = startedSoFar({ redis, source, target });
  await Promise.all(processes.map((p) => p.kill()));
  await Promise.all([started.redis?.stop(), started.source?.stop(), started.target?.stop()]);
});

test('two sync servers sharing a queue: every tick of a schedule runs once, on one of them, never two runs at once', async () => {
  const registry = { hostname: target.host, repository: 'mirror', images: [`${source.host}/library/app:v1`], syncPeriod: '* * * * * *' };
  const dir = await makeTempDir('queue-ha');
  const workerConfig = await writeConfig(await makeTempDir('queue-ha-worker'), { registries: [registry] });
  processes.push(await startWorker(workerConfig, { cwd: dir, queue: redis.url }));
  const servers: SyncProcess[] = [];
  for (const name of ['a', 'b']) {
    const port = await apiPort();
    const home = await makeTempDir(`queue-ha-${name}`);
    const config = {
      registries: [registry],
      api: { enabled: true, port },
      state: { path: join(home, 'state.db') },
      sync: { runOnStart: false },
      queue: { url: redis.url },
    };
    const server = await startSync(await writeConfig(home, config), { port, cwd: home });
    processes.push(server);
    servers.push(server);
  }
  const [a, b] = servers as [SyncProcess, SyncProcess];
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
