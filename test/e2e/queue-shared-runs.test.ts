import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { layerOf, startWorker, useQueueRig } from './queue-kit.js';
import { apiPort, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * The shared run view of two `sync` servers on one queue when one of them dies: its run going on
 * shows as interrupted on the other once its alive key lapses; started again, it closes that run
 * and publishes it closed; and it knows its earlier runs as its own (named by host and state path,
 * not per process), so none is counted twice.
 */

let built: BuiltImage | undefined;
const rig = useQueueRig('queue-shared-runs', async ({ source }) => {
  built = await pushImage(ociImage, source, 'library/app:v1');
});

interface RunView {
  id: number;
  result: string;
  endedAt: number | null;
}

test('a server killed mid-run: the other shows its run interrupted once its alive key lapses; restarted, it publishes the run closed and counts its runs once', async () => {
  const { redis, sourceProxy, target, processes } = rig;
  assert.ok(built);
  const layer = layerOf(built);
  // A schedule that never fires during the test: runs are asked for, so which server runs is known.
  const registry = { hostname: target.host, repository: 'mirror', images: [`${sourceProxy.host}/library/app:v1`], syncPeriod: '0 0 1 1 *' };
  const workerHome = await makeTempDir('queue-shared-runs-worker');
  processes.push(await startWorker(await writeConfig(workerHome, { registries: [registry] }), { cwd: workerHome, queue: redis.url }));
  const homes = { a: await makeTempDir('queue-shared-runs-a'), b: await makeTempDir('queue-shared-runs-b') };
  const configs = new Map<string, { file: string; port: number }>();
  const start = async (name: 'a' | 'b'): Promise<SyncProcess> => {
    let config = configs.get(name);
    if (!config) {
      const port = await apiPort();
      const body = {
        registries: [registry],
        api: { enabled: true, port },
        state: { path: join(homes[name], 'state.db') },
        sync: { runOnStart: false, gracePeriodSeconds: 5 },
        queue: { url: redis.url },
      };
      config = { file: await writeConfig(homes[name], body), port };
      configs.set(name, config);
    }
    const server = await startSync(config.file, { port: config.port, cwd: homes[name] });
    processes.push(server);
    return server;
  };
  const run = (s: SyncProcess) => s.api(`/ops?sync=${encodeURIComponent(target.host)}&action=run`, { method: 'POST' });
  const seenBy = async (s: SyncProcess, id: number): Promise<RunView | undefined> => {
    const answer = await s.api(`/api/sync/runs/${id}`);
    return answer.status === 200 ? (answer.json.run as RunView) : undefined;
  };
  const runsCounted = async (s: SyncProcess): Promise<number> => (await s.api('/list?type=active')).json.synchronizers[0].runs as number;

  let a = await start('a');
  const b = await start('b');
  // A's run holds the image's layer mid-blob at the source: it is running when A is killed.
  sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${layer}$`),
    times: 100,
    action: { kind: 'stall', afterBytes: 1024 },
  });
  assert.equal((await run(a)).status, 202);
  const started = await until(() => a.events('sync-run-started', target.host)[0], 'the run on A to start', 60_000);
  const runId = started.runId as number;
  await until(() => sourceProxy.stalled.length > 0, 'the layer held mid-blob', 60_000);
  assert.equal((await seenBy(b, runId))?.result, 'running', 'B shows the run going on');
  await a.kill();

  // A's alive key lapses (it is renewed no more): B shows the run interrupted, not running for ever.
  const lapsed = await until(
    async () => {
      const seen = await seenBy(b, runId);
      return seen?.result === 'interrupted' ? seen : undefined;
    },
    'B to find A gone and its run interrupted',
    120_000,
  );
  assert.equal(lapsed.endedAt, null, 'nobody closed it yet');
  sourceProxy.clearFaults();
  sourceProxy.release();

  // A again, on the same state: it closes the run at start-up and publishes it closed.
  a = await start('a');
  const closed = await seenBy(b, runId);
  assert.equal(closed?.result, 'interrupted');
  assert.notEqual(closed.endedAt, null, 'B shows the run as A closed it');
  // Another run on A (its old run lock lapses like its alive key), then A stopped and started again.
  await until(async () => ((await run(a)).status === 202 ? true : undefined), 'A to take a run', 120_000);
  const finished = await until(() => a.events('sync-run-finished', target.host)[0], 'the run on A to finish', 120_000);
  assert.equal(finished.result, 'succeeded');
  await a.stop();
  a = await start('a');
  assert.equal(await runsCounted(a), 2, 'A counts its two runs once each, the published ones being its own');
  assert.equal(await runsCounted(b), 2, 'B counts them too');
  assert.equal((await seenBy(b, finished.runId as number))?.result, 'succeeded');
});
