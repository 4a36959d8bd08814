import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import {
  pushImage,
  skopeoListTags,
  startFaultProxy,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { apiPort, digestAt, startSync, writeConfig, type SyncProcess } from './sync-kit.js';
import { largestBlob, waitFor } from './stop-kit.js';

/**
 * The audit's case for `picture-book sync`: concurrency 1, two images, a 30 s grace period, SIGTERM
 * while the first copies. The first finishes within the grace, the second never starts (it is
 * cancelled, not failed), and the server exits 0 as soon as the first is done.
 */

let source: TestRegistry;
let target: TestRegistry;
let proxy: FaultProxy;
let first: BuiltImage;
let server: SyncProcess | undefined;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(source);
  [first] = await Promise.all([pushImage(ociImage, source, 'drain/first:v1'), pushImage(dockerImage, source, 'drain/second:v1')]);
});

after(async () => {
  const started = startedSoFar({ proxy, source, target });
  started.proxy?.clearFaults();
  started.proxy?.release();
  await server?.kill();
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('SIGTERM with a grace period: the running image finishes, the next one never starts, exit 0', async () => {
  const blobPath = `/v2/drain/first/blobs/${largestBlob(first).digest}`;
  proxy.addFault({ method: 'GET', pathPattern: new RegExp(blobPath), times: 1, action: { kind: 'stall', afterBytes: 64 * 1024 } });
  const home = await makeTempDir('drain-sync');
  const port = await apiPort();
  const images = [`${proxy.host}/drain/first:v1`, `${proxy.host}/drain/second:v1`];
  const file = await writeConfig(home, {
    registries: [{ hostname: target.host, repository: 'mirror', concurrency: 1, images }],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    sync: { runOnStart: true, gracePeriodSeconds: 30 },
  });
  const sync = await startSync(file, { port, cwd: home });
  server = sync;
  await waitFor(() => proxy.stalled.some((r) => r.path === blobPath), 'the first image to be held mid-stream');

  sync.signal('SIGTERM');
  await sync.waitForLog((l) => l.event === 'server-stopping', 'the stop to begin');
  proxy.release(); // the first image can only finish now, inside the grace period
  const { code, signal } = await sync.exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, sync.stderr);

  const firstTarget = `${target.host}/mirror/drain/first:v1`;
  const secondTarget = `${target.host}/mirror/drain/second:v1`;
  assert.deepEqual(
    sync.events('image-started').map((l) => l.target),
    [firstTarget],
    'nothing started after the signal',
  );
  assert.deepEqual(
    sync.events('image-done').map((l) => l.target),
    [firstTarget],
  );
  assert.deepEqual(
    sync.events('image-cancelled').map((l) => [l.target, l.started]),
    [[secondTarget, false]],
  );
  assert.deepEqual(sync.events('image-failed'), []);
  const [run] = sync.events('sync-run-finished');
  assert.deepEqual([run?.result, run?.copied, run?.failed, run?.cancelled], ['cancelled', 1, 0, 1]);
  assert.equal(await digestAt(target, 'mirror/drain/first:v1'), first.digest);
  assert.deepEqual(await skopeoListTags(`${target.host}/mirror/drain/second`, target).catch(() => []), []);
});

test('a second SIGTERM cuts the grace period short: the held copy is aborted at once, exit 0, the run recorded, no tag', async () => {
  const blobPath = `/v2/drain/first/blobs/${largestBlob(first).digest}`;
  proxy.addFault({ method: 'GET', pathPattern: new RegExp(blobPath), times: 1, action: { kind: 'stall', afterBytes: 64 * 1024 } });
  const stalledBefore = proxy.stalled.length;
  const home = await makeTempDir('drain-sync-hurry');
  const port = await apiPort();
  const file = await writeConfig(home, {
    registries: [{ hostname: target.host, repository: 'hurried', concurrency: 1, images: [`${proxy.host}/drain/first:v1`] }],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    sync: { runOnStart: true, gracePeriodSeconds: 3600 },
  });
  const sync = await startSync(file, { port, cwd: home });
  server = sync;
  await waitFor(() => proxy.stalled.length > stalledBefore, 'the image to be held mid-stream');

  sync.signal('SIGTERM');
  const stopping = await sync.waitForLog((l) => l.event === 'server-stopping', 'the stop to begin');
  assert.equal(stopping.graceMs, 3_600_000);
  sync.signal('SIGTERM'); // the source still holds the blob: only the second signal can end this within the test
  const { code, signal } = await sync.exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, sync.stderr);
  const signals = sync.events('signal');
  assert.equal(signals.length, 2);
  assert.match(String(signals[0]?.msg), /a second SIGINT or SIGTERM aborts the copies under way at once/);
  assert.equal(signals[1]?.again, true);
  const [run] = sync.events('sync-run-finished');
  assert.deepEqual([run?.result, run?.copied], ['cancelled', 0]);
  assert.equal(sync.events('server-stopped').length, 1, 'stopped cleanly, its store closed');
  assert.deepEqual(await skopeoListTags(`${target.host}/hurried/drain/first`, target).catch(() => []), []);
});
