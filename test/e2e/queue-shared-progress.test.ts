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
 * (images in flight, rate), which stays on A: B's live feed and the run's `live` field do not carry
 * it, though B's feed tells its listeners (the dashboard) when the registry's overview and history changed.
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

interface LiveMessage {
  runs: Array<{ runId: number | null }>;
  changed: { overview: boolean; registries: string[] };
}

/** Follows a server's live feed: the messages heard so far, and the stop. */
async function followLive(server: SyncProcess): Promise<{ messages: LiveMessage[]; stop: () => void }> {
  const stop = new AbortController();
  const response = await fetch(`${server.url}/api/sync/live`, { signal: stop.signal });
  assert.equal(response.status, 200);
  assert.ok(response.body);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const messages: LiveMessage[] = [];
  void (async () => {
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        const data = text
          .slice(0, end)
          .split('\n')
          .find((line) => line.startsWith('data: '));
        text = text.slice(end + 2);
        if (data) messages.push(JSON.parse(data.slice('data: '.length)) as LiveMessage);
      }
    }
  })().catch(() => undefined);
  return { messages, stop: () => stop.abort() };
}

/** Whether a live message told `registry`'s overview and history changed. */
const told = (message: LiveMessage, registry: string): boolean => message.changed.overview && message.changed.registries.includes(registry);

test("a run going on on A: B's run list, run detail and overview show its counts as they grow, then its end; B's live feed does not show it", async () => {
  const { sourceProxy, target } = rig;
  const holds = layerHolds(rig, built);
  // A schedule that never fires during the test: the run is asked of A.
  const images = [`${sourceProxy.host}/library/app:v1`, `${sourceProxy.host}/library/held:v1`];
  const registry = { hostname: target.host, repository: 'mirror', images, syncPeriod: '0 0 1 1 *' };
  const [a, b] = await startSyncPair(rig, 'queue-progress', registry);
  const runOf = async (s: SyncProcess, id: number) => (await s.api(`/api/sync/runs/${id}`)).json as { run: RunView; live: unknown };

  // B's feed: its first flush carries what changed since B started (its schedule, nobody listening
  // then); what it tells of the registry after that is news of A's run.
  const feedOfB = await followLive(b);
  await until(() => feedOfB.messages.some((m) => told(m, target.host)), "B's feed to hand over its start's changes");
  const beforeRun = feedOfB.messages.length;
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
  // B's live feed: A's run is not among its live runs (their images in flight are A's), but B tells
  // its listeners that the registry's overview and history changed, so the dashboard reads them again.
  await until(
    () => feedOfB.messages.slice(beforeRun).some((m) => told(m, target.host)),
    "B's live feed to tell the registry changed",
    30_000,
  );
  assert.deepEqual(
    feedOfB.messages.flatMap((m) => m.runs),
    [],
  );
  const feedOfA = await followLive(a);
  await until(() => feedOfA.messages[0], "A's first live message");
  feedOfA.stop();
  assert.deepEqual(
    feedOfA.messages[0]?.runs.map((r) => r.runId),
    [runId],
  );
  const heard = feedOfB.messages.length;

  // Released: the run ends on A, and B shows its end with both images counted.
  sourceProxy.clearFaults();
  sourceProxy.release();
  const finished = await until(() => a.events('sync-run-finished', target.host)[0], 'the run on A to finish', 120_000);
  assert.equal(finished.result, 'succeeded');
  const ended = (await runOf(b, runId)).run;
  assert.deepEqual({ result: ended.result, copied: ended.copied }, { result: 'succeeded', copied: 2 });
  await until(() => feedOfB.messages.slice(heard).some((m) => told(m, target.host)), "B's live feed to tell the run's end", 30_000).catch(
    (error: unknown) => {
      throw new Error(
        `${(error as Error).message}; B's feed since: ${JSON.stringify(feedOfB.messages.slice(heard).map((m) => m.changed))}`,
      );
    },
  );
  feedOfB.stop();
});
