import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import { CancelledError } from '../../src/errors/index.js';
import { loadRunner, Scheduler } from '../../src/scheduler/index.js';
import { registryConfig } from '../../src/scheduler/scheduler-test-kit.js';
import { SyncMetrics } from '../../src/server/metrics/sync-metrics.js';
import { SqliteRunStore } from '../../src/store/index.js';
import { pushImage, skopeoListTags, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';
import { largestBlob, waitFor } from './stop-kit.js';

/** A stopped copy (abort, pause) is a cancellation: never a failure, never a tag written after it. */

let built: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  built = await pushImage(ociImage, source, 'cancel/app:v1');
});

/** Holds the source's largest blob after 64 KiB until `letGo`, so a copy is caught mid-stream. */
function holdLargestBlob(): string {
  const path = `/v2/cancel/app/blobs/${largestBlob(built).digest}`;
  pair.sourceProxy.addFault({ method: 'GET', pathPattern: new RegExp(path), times: 1, action: { kind: 'stall', afterBytes: 64 * 1024 } });
  return path;
}

/** Lets the held blob go; in the tests' after hooks too, before the engine closes (it waits for what is in flight). */
function letGo(): void {
  pair.sourceProxy.clearFaults();
  pair.sourceProxy.release();
}

const tagsOf = (repo: string) => skopeoListTags(`${pair.target.host}/${repo}`, pair.target).catch(() => [] as string[]);

test('abort mid-blob: CancelledError and image-cancelled, not a NETWORK failure; no retry, no manifest PUT, no tag', async (t) => {
  const blobPath = holdLargestBlob();
  pair.targetProxy.clearRequests();
  const engine = new CopyEngine();
  t.after(async () => {
    letGo();
    await engine.close();
  });
  const events: CopyEvent[] = [];
  const controller = new AbortController();
  const copying = engine.copy(
    { source: `${pair.sourceProxy.host}/cancel/app:v1`, target: `${pair.targetProxy.host}/aborted/app:v1` },
    { signal: controller.signal, onEvent: (e) => events.push(e) },
  );
  await waitFor(() => pair.sourceProxy.stalled.some((r) => r.path === blobPath), 'the largest blob to be held mid-stream');
  controller.abort();
  await assert.rejects(copying, (error: unknown) => error instanceof CancelledError && error.code === 'CANCELLED');
  letGo();
  assert.deepEqual(
    events.filter((e) => e.type === 'image-failed'),
    [],
  );
  assert.deepEqual(
    events.filter((e) => e.type === 'retry'),
    [],
    'a stop is not retried',
  );
  const cancelled = events.filter((e) => e.type === 'image-cancelled');
  assert.deepEqual(
    cancelled.map((e) => [e.target, e.started]),
    [[`${pair.targetProxy.host}/aborted/app:v1`, true]],
  );
  assert.equal(pair.sourceProxy.count('GET', new RegExp(blobPath)), 1, 'the blob was not restarted after the abort');
  assert.equal(pair.targetProxy.count('PUT', /\/manifests\//), 0);
  assert.deepEqual(await tagsOf('aborted/app'), []);
});

test('abort right after the last blob arrived: the manifest PUT never starts', async (t) => {
  pair.targetProxy.clearRequests();
  const engine = new CopyEngine();
  t.after(() => engine.close());
  const controller = new AbortController();
  const blobs = new Set(built.blobs.map((b) => b.digest));
  const events: CopyEvent[] = [];
  // Synchronously on the event of the last blob: the next thing the copy would do is write the manifest.
  const onEvent = (e: CopyEvent): void => {
    events.push(e);
    if ((e.type === 'blob-done' || e.type === 'blob-skipped' || e.type === 'blob-mounted') && blobs.delete(e.digest) && blobs.size === 0)
      controller.abort();
  };
  await assert.rejects(
    engine.copy(
      { source: `${pair.sourceProxy.host}/cancel/app:v1`, target: `${pair.targetProxy.host}/late/app:v1` },
      { signal: controller.signal, onEvent },
    ),
    CancelledError,
  );
  assert.equal(blobs.size, 0, 'every blob was copied before the abort');
  assert.equal(pair.targetProxy.count('PUT', /\/manifests\//), 0);
  assert.deepEqual(
    events.filter((e) => e.type === 'manifest-written' || e.type === 'image-failed'),
    [],
  );
  assert.deepEqual(await tagsOf('late/app'), []);
});

test('pause during a copy: the run is cancelled with 1 cancelled and 0 failed, in the store and the metrics', async (t) => {
  const blobPath = holdLargestBlob();
  const store = SqliteRunStore.open(':memory:');
  const engine = new CopyEngine();
  const events: Array<{ type: string }> = [];
  const metrics = new SyncMetrics({
    synchronizerStates: () => [],
    jobCounts: async () => ({ QUEUED: 0, RUNNING: 0, FINISHED: 0, FAILED: 0 }),
  });
  const emit = (event: { type: string }) => {
    events.push(event);
    metrics.observe(event);
  };
  const scheduler = new Scheduler({
    store,
    runner: loadRunner(engine),
    emit,
    tickers: () => ({ nextRun: () => null, stop: () => undefined }),
  });
  const registry = { ...registryConfig(pair.targetProxy.host), repository: 'paused', images: [`${pair.sourceProxy.host}/cancel/app:v1`] };
  t.after(async () => {
    letGo();
    await scheduler.stop(0);
    await engine.close();
    await store.close();
  });
  await scheduler.start([registry], { timezone: 'UTC', runOnStart: true });
  await waitFor(() => pair.sourceProxy.stalled.some((r) => r.path === blobPath), 'the largest blob to be held mid-stream');
  await scheduler.get(registry.hostname)?.pause();
  letGo();
  const [run] = await store.listRuns(registry.hostname, 1);
  assert.deepEqual([run?.result, run?.failed, run?.cancelled, run?.copied], ['cancelled', 0, 1, 0]);
  const record = run ? await store.getRun(run.id) : undefined;
  assert.deepEqual(
    record?.images.map((i) => [i.status, i.error]),
    [['cancelled', undefined]],
  );
  assert.equal(
    events.some((e) => e.type === 'image-failed'),
    false,
  );
  const text = await metrics.render();
  assert.match(text, new RegExp(`picture_book_sync_images_total\\{registry="${registry.hostname}",status="cancelled"\\} 1\\n`));
  assert.match(text, new RegExp(`picture_book_sync_images_total\\{registry="${registry.hostname}",status="failed"\\} 0\\n`));
});

test('drain: a copy waiting for an image slot does not start; the one under way finishes', async (t) => {
  const blobPath = holdLargestBlob();
  const engine = new CopyEngine({ imageConcurrency: 1 });
  t.after(async () => {
    letGo();
    await engine.close();
  });
  const events: CopyEvent[] = [];
  const onEvent = (e: CopyEvent): void => {
    events.push(e);
  };
  const drain = new AbortController();
  const running = engine.copy(
    { source: `${pair.sourceProxy.host}/cancel/app:v1`, target: `${pair.target.host}/drained/app:v1` },
    { drain: drain.signal, onEvent },
  );
  await waitFor(() => pair.sourceProxy.stalled.some((r) => r.path === blobPath), 'the first copy to be held mid-stream');
  // The only image slot is taken: this one checks, then waits (start order is not submission order).
  const waiting = engine.copy(
    { source: `${pair.sourceProxy.host}/cancel/app:v1`, target: `${pair.target.host}/drained/other:v1` },
    { drain: drain.signal, onEvent },
  );
  const waitingRefused = assert.rejects(waiting, CancelledError); // may settle before `running` does
  drain.abort();
  letGo();
  assert.equal((await running).digest, built.digest);
  await waitingRefused;
  assert.deepEqual(
    events.filter((e) => e.type === 'image-started').map((e) => e.target),
    [`${pair.target.host}/drained/app:v1`],
  );
  assert.deepEqual(
    events.filter((e) => e.type === 'image-cancelled').map((e) => [e.target, e.started]),
    [[`${pair.target.host}/drained/other:v1`, false]],
  );
  assert.deepEqual(await tagsOf('drained/app'), ['v1']);
  assert.deepEqual(await tagsOf('drained/other'), []);
});
