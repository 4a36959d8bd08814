import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pushImage, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { layerHolds, oneLayerImage, startSyncPair, useQueueRig } from './queue-kit.js';
import { until, type SyncProcess } from './sync-kit.js';

/*
 * Two `sync` servers on one queue, a run going on on A: what B's API shows of it. Its counts
 * (images done, bytes) as it goes, in B's run list, run detail and overview (A republishes the
 * run's summary while its counts change, at most once a second), then its end; not the live view
 * (images in flight, rate), which stays on A: B's live feed and the run's `live` field say nothing of it.
 */

const built = new Map<string, BuiltImage>();
const rig = useQueueRig('queue-shared-progress', async ({ source }) => {
  built.set('app', await pushImage(ociImage, source, 'library/app:v1'));
  built.set('held', await pushImage(oneLayerImage('queue-shared-progress-held'), source, 'library/held:v1'));
});

interface RunView {
  id: number;
  result: string;
  copied: number;
  bytes: number;
}

/** The first message of a server's live feed (every registry's live run), then the stream is let go. */
async function firstLiveMessage(server: SyncProcess): Promise<{ runs: Array<{ runId: number | null }> }> {
  const stop = new AbortController();
  const response = await fetch(`${server.url}/api/sync/live`, { signal: stop.signal });
  assert.equal(response.status, 200);
  assert.ok(response.body);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  try {
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    stop.abort();
  }
  const data = text.split('\n').find((line) => line.startsWith('data: '));
  assert.ok(data, text);
  return JSON.parse(data.slice('data: '.length)) as { runs: Array<{ runId: number | null }> };
}

test("a run going on on A: B's run list, run detail and overview show its counts as they grow, then its end; B's live feed does not show it", async () => {
  const { sourceProxy, target } = rig;
  const holds = layerHolds(rig, built);
  // A schedule that never fires during the test: the run is asked of A.
  const images = [`${sourceProxy.host}/library/app:v1`, `${sourceProxy.host}/library/held:v1`];
  const registry = { hostname: target.host, repository: 'mirror', images, syncPeriod: '0 0 1 1 *' };
  const [a, b] = await startSyncPair(rig, 'queue-progress', registry);
  const runOf = async (s: SyncProcess, id: number) => (await s.api(`/api/sync/runs/${id}`)).json as { run: RunView; live: unknown };

  // A's run: app:v1 is copied, held:v1's layer is held mid-blob, so the run goes on with one image done.
  holds.hold('held');
  assert.equal((await a.api(`/ops?sync=${encodeURIComponent(target.host)}&action=run`, { method: 'POST' })).status, 202);
  const started = await until(() => a.events('sync-run-started', target.host)[0], 'the run on A to start', 60_000);
  const runId = started.runId as number;
  await until(() => holds.isHeld('held'), "held:v1's layer held mid-blob", 60_000);
  const liveOnA = async () => (await runOf(a, runId)).live as { copied: number } | null;
  await until(async () => ((await liveOnA())?.copied === 1 ? true : undefined), "A's live view to count app:v1 copied", 60_000);

  // B: the run going on, with app:v1 counted (A republishes its summary within a second of the change).
  const onB = await until(
    async () => {
      const { run } = await runOf(b, runId);
      return run.copied === 1 ? run : undefined;
    },
    "B's run detail to show A's run with app:v1 copied",
    30_000,
  );
  assert.equal(onB.result, 'running');
  assert.ok(onB.bytes > 0, `bytes moved so far: ${JSON.stringify(onB)}`);
  assert.equal((await runOf(b, runId)).live, null, 'the live view (images in flight, rate) is A’s only');
  const listed = ((await b.api('/api/sync/runs?limit=10')).json.runs as RunView[]).find((r) => r.id === runId);
  assert.deepEqual(listed && { result: listed.result, copied: listed.copied }, { result: 'running', copied: 1 });
  const overview = (await b.api('/api/sync/overview')).json as { registries: Array<{ lastRun: RunView | null; live: unknown }> };
  assert.deepEqual(
    overview.registries.map((r) => ({ id: r.lastRun?.id, result: r.lastRun?.result, copied: r.lastRun?.copied, live: r.live })),
    [{ id: runId, result: 'running', copied: 1, live: null }],
  );
  // B's live feed is fed by B's own events: A's run is not in it (A's feed has it).
  assert.deepEqual((await firstLiveMessage(b)).runs, []);
  assert.deepEqual(
    (await firstLiveMessage(a)).runs.map((r) => r.runId),
    [runId],
  );

  // Released: the run ends on A, and B shows its end with both images counted.
  sourceProxy.clearFaults();
  sourceProxy.release();
  const finished = await until(() => a.events('sync-run-finished', target.host)[0], 'the run on A to finish', 120_000);
  assert.equal(finished.result, 'succeeded');
  const ended = (await runOf(b, runId)).run;
  assert.deepEqual({ result: ended.result, copied: ended.copied }, { result: 'succeeded', copied: 2 });
});
