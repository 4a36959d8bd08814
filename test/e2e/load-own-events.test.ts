import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { registryConfig } from '../../src/scheduler/scheduler-test-kit.js';
import type { LoadEvent } from '../../src/load/events.js';
import { runLoad } from '../../src/load/load-run.js';
import { pushImage, type BuiltImage } from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';
import { waitFor } from './stop-kit.js';

/**
 * Two load runs on one engine write the same target path at once, from two different images
 * (two registries serving `team/app:v1`). Each run hears the events of its own copy and only
 * those, retries included: nothing is told apart by the target string, which both share.
 */

let imageA: BuiltImage;
let imageB: BuiltImage;
const pair = useProxiedPair(async ({ source, target }) => {
  // Different images under one repository path on two registries; they share the base layer.
  [imageA, imageB] = await Promise.all([pushImage(ociImage, source, 'team/app:v1'), pushImage(dockerImage, target, 'team/app:v1')]);
});

const blobEvents = new Set(['blob-done', 'blob-skipped', 'blob-mounted']);

/** Digests of the blobs a run's events say were made present, one entry per event. */
function settledBlobs(events: LoadEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'blob-done' || e.type === 'blob-skipped' || e.type === 'blob-mounted' ? [e.digest] : [])).sort();
}

function retries(events: LoadEvent[]): Array<[string, string]> {
  return events.flatMap((e) => (e.type === 'retry' ? [[e.method, e.url] as [string, string]] : []));
}

test('two load runs writing one target path at once each hear their own copy only, its retries included', async (t) => {
  const engine = new CopyEngine();
  t.after(async () => {
    pair.sourceProxy.clearFaults();
    pair.sourceProxy.release();
    pair.targetProxy.clearFaults();
    await engine.close();
  });
  const sourceA = `${pair.sourceProxy.host}/team/app:v1`;
  const sourceB = `${pair.target.host}/team/app:v1`;
  const target = `${pair.targetProxy.host}/mirror/team/app:v1`;
  const appLayerA = imageA.blobs.find((b) => !imageB.blobs.some((o) => o.digest === b.digest) && b.size > 64 * 1024);
  assert.ok(appLayerA, 'image A has a layer of its own');
  // A's source check is retried once; A then holds in one of its own layers until B has finished,
  // so B's whole copy (whose manifest PUT is retried once) happens while A is listening.
  pair.sourceProxy.addFault({
    method: 'HEAD',
    pathPattern: /^\/v2\/team\/app\/manifests\/v1$/,
    times: 1,
    action: { kind: 'status', status: 503 },
  });
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${appLayerA.digest}$`),
    times: 1,
    action: { kind: 'stall', afterBytes: 16 * 1024 },
  });
  pair.targetProxy.addFault({
    method: 'PUT',
    pathPattern: /^\/v2\/mirror\/team\/app\/manifests\/v1$/,
    times: 1,
    action: { kind: 'status', status: 503 },
  });

  const eventsA: LoadEvent[] = [];
  const eventsB: LoadEvent[] = [];
  const registry = (source: string) => ({ ...registryConfig(pair.targetProxy.host), images: [source] });
  const runA = runLoad({ registries: [registry(sourceA)], engine, emit: (e) => eventsA.push(e) });
  await waitFor(() => pair.sourceProxy.stalled.length > 0, "image A's own layer to be held");
  const outcomeB = await runLoad({ registries: [registry(sourceB)], engine, emit: (e) => eventsB.push(e) });
  pair.sourceProxy.clearFaults();
  pair.sourceProxy.release();
  const outcomeA = await runA;
  assert.deepEqual([outcomeA.copied, outcomeA.failed, outcomeB.copied, outcomeB.failed], [1, 0, 1, 0]);

  for (const [events, source, image] of [
    [eventsA, sourceA, imageA],
    [eventsB, sourceB, imageB],
  ] as const) {
    const started = events.filter((e) => e.type === 'image-started');
    const done = events.filter((e) => e.type === 'image-done');
    assert.deepEqual(
      started.map((e) => [e.source, e.target]),
      [[source, target]],
      `${source}: its own image started, once`,
    );
    assert.deepEqual(
      done.map((e) => [e.source, e.digest]),
      [[source, image.digest]],
      `${source}: its own image done, once`,
    );
    assert.deepEqual(
      events.filter((e) => 'source' in e && e.source !== source),
      [],
      `${source}: no event of the other image`,
    );
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'manifest-written' ? [e.digest] : [])),
      [image.digest],
      `${source}: only its own manifest`,
    );
    assert.deepEqual(settledBlobs(events), image.blobs.map((b) => b.digest).sort(), `${source}: each of its own blobs once, no other`);
  }
  assert.deepEqual(
    retries(eventsA),
    [['HEAD', `http://${pair.sourceProxy.host}/v2/team/app/manifests/v1`]],
    "A hears the retry of its source's HEAD, not B's PUT",
  );
  assert.deepEqual(
    retries(eventsB),
    [['PUT', `http://${pair.targetProxy.host}/v2/mirror/team/app/manifests/v1`]],
    "B hears the retry of its manifest PUT, not A's HEAD",
  );

  // The shared base layer went into the target repository once: one run streamed it (its bytes
  // count there), the other was told it was already present.
  const shared = imageA.blobs.filter((b) => imageB.blobs.some((o) => o.digest === b.digest));
  assert.ok(shared.length > 0, 'the images share a layer');
  for (const blob of shared) {
    const seen = [...eventsA, ...eventsB]
      .flatMap((e) => (blobEvents.has(e.type) && 'digest' in e && e.digest === blob.digest ? [e.type] : []))
      .sort();
    assert.deepEqual(seen, ['blob-done', 'blob-skipped'], `shared blob ${blob.digest}`);
  }
  const unique = new Map([...imageA.blobs, ...imageB.blobs].map((b) => [b.digest, b.size]));
  assert.equal(
    outcomeA.bytes + outcomeB.bytes,
    [...unique.values()].reduce((a, b) => a + b, 0),
    'bytes are counted once, for the copy that moved them',
  );
});
