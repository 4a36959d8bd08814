import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import {
  pushImage,
  skopeoCopyToLayout,
  skopeoInspectRaw,
  skopeoListTags,
  startFaultProxy,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { largestBlob, LoadProcess, waitFor } from './stop-kit.js';

/**
 * SIGTERM/SIGINT during `picture-book load`: the first signal stops new images and lets the running
 * copy finish, a second aborts it. Exit code 128 + signal number (143 for SIGTERM) either way.
 * The source sits behind the fault proxy, which holds the first image's largest blob mid-stream,
 * so the signal always lands while that image is copying.
 */

let source: TestRegistry;
let target: TestRegistry;
let proxy: FaultProxy;
let first: BuiltImage;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(source);
  [first] = await Promise.all([pushImage(ociImage, source, 'stop/first:v1'), pushImage(dockerImage, source, 'stop/second:v1')]);
  dir = await makeTempDir('load-stop');
});

after(async () => {
  const started = startedSoFar({ proxy, source, target });
  started.proxy?.clearFaults();
  started.proxy?.release();
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

/** Two images into `repository`, one at a time; the first one's largest blob is held after 64 KiB. Killed after the test. */
async function startHeldLoad(t: TestContext, repository: string): Promise<{ load: LoadProcess; blobPath: string }> {
  const config = join(dir, `${repository}.yaml`);
  const images = [`${proxy.host}/stop/first:v1`, `${proxy.host}/stop/second:v1`];
  await writeFile(config, JSON.stringify({ registries: [{ hostname: target.host, repository, concurrency: 1, images }] }));
  const blob = largestBlob(first);
  const blobPath = `/v2/stop/first/blobs/${blob.digest}`;
  proxy.addFault({ method: 'GET', pathPattern: new RegExp(blobPath), times: 1, action: { kind: 'stall', afterBytes: 64 * 1024 } });
  const load = new LoadProcess(['--config', config, '--all'], dir);
  t.after(async () => {
    proxy.clearFaults();
    proxy.release();
    await load.kill();
  });
  await load.waitForEvent((e) => e.type === 'blob-started' && e.digest === blob.digest, 'the first image to stream its largest blob');
  await waitFor(() => proxy.stalled.some((r) => r.path === blobPath), 'that blob to be held mid-stream');
  return { load, blobPath };
}

const tagsOf = (repo: string) => skopeoListTags(`${target.host}/${repo}`, target).catch(() => [] as string[]);

test('SIGTERM during the first of two images (concurrency 1): it finishes, the second never starts, exit 143', async (t) => {
  const { load } = await startHeldLoad(t, 'drained');
  load.signal('SIGTERM');
  const stopping = await load.waitForEvent((e) => e.type === 'run-stopping', 'the load to say it is stopping');
  assert.deepEqual([stopping.signal, stopping.abortNow], ['SIGTERM', false]);
  proxy.release(); // only now can the first image finish: it ran on after the signal

  const { code, signal } = await load.exited;
  assert.deepEqual({ code, signal }, { code: 143, signal: null }, load.stderr);
  const firstTarget = `${target.host}/drained/stop/first:v1`;
  const secondTarget = `${target.host}/drained/stop/second:v1`;
  assert.deepEqual(
    load.ofType('image-done').map((e) => e.target),
    [firstTarget],
  );
  assert.deepEqual(
    load.ofType('image-started').map((e) => e.target),
    [firstTarget],
    'the second image never started',
  );
  assert.deepEqual(
    load.ofType('image-cancelled').map((e) => [e.target, e.started]),
    [[secondTarget, false]],
  );
  assert.deepEqual(load.ofType('image-failed'), []);
  const [finished] = load.ofType('run-finished');
  assert.deepEqual([finished?.copied, finished?.failed, finished?.cancelled], [1, 0, 1]);
  const order = load.events.map((e) => e.type).filter((t) => t === 'run-stopping' || t === 'image-done');
  assert.deepEqual(order, ['run-stopping', 'image-done'], 'the first image finished after the signal');

  // The target, seen by skopeo: the first image whole (every blob verified), no tag for the second.
  assert.equal((await skopeoInspectRaw(firstTarget, target)).digest, first.digest);
  await skopeoCopyToLayout(firstTarget, target, join(dir, 'drained-layout'));
  assert.deepEqual(await tagsOf('drained/stop/first'), ['v1']);
  assert.deepEqual(await tagsOf('drained/stop/second'), []);
});

test('a second SIGTERM aborts the running copy: no tag at all, nothing failed, exit 143', async (t) => {
  const { load, blobPath } = await startHeldLoad(t, 'aborted');
  load.signal('SIGTERM');
  await load.waitForEvent((e) => e.type === 'run-stopping' && e.abortNow === false, 'the first signal to be taken');
  load.signal('SIGTERM');
  const { code, signal } = await load.exited; // the blob is still held: only the abort can end the copy
  assert.deepEqual({ code, signal }, { code: 143, signal: null }, load.stderr);
  proxy.clearFaults();
  assert.equal(
    proxy.stalled.some((r) => r.path === blobPath),
    false,
    'the held download was dropped by the client',
  );
  assert.deepEqual(
    load.ofType('run-stopping').map((e) => e.abortNow),
    [false, true],
  );
  assert.deepEqual(
    load.ofType('image-cancelled').map((e) => [e.target, e.started]),
    [
      [`${target.host}/aborted/stop/first:v1`, true],
      [`${target.host}/aborted/stop/second:v1`, false],
    ],
  );
  assert.deepEqual(load.ofType('image-failed'), []);
  const [finished] = load.ofType('run-finished');
  assert.deepEqual([finished?.copied, finished?.failed, finished?.cancelled], [0, 0, 2]);
  assert.deepEqual(await tagsOf('aborted/stop/first'), []);
  assert.deepEqual(await tagsOf('aborted/stop/second'), []);
});
