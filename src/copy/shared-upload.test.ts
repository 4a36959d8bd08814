import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContentRepository } from '../registry/index.js';
import type { CopyEvent } from './events.js';
import type { SharedBlobs } from './shared-blobs.js';
import { uploadShared } from './shared-upload.js';

/*
 * What a copy does once it holds the shared upload claim of a blob its target lacked: the
 * decision alone, on stand-ins (the real registry and Redis are in test/e2e/queue-blob-uploads).
 */

const DIGEST = `sha256:${'a'.repeat(64)}`;
const blob = { digest: DIGEST, size: 10, mediaType: 'application/octet-stream' };

function rig(options: { seen: string[]; waited: boolean; here: boolean }) {
  const calls = { heads: 0, mounts: [] as string[][], streams: 0 };
  const shared: SharedBlobs = {
    sightings: () => Promise.resolve(options.seen),
    sighted: () => Promise.resolve(),
    claimUpload: () => Promise.resolve({ waited: options.waited, release: () => undefined }),
  };
  const target = {
    place: 'registry.example',
    name: 'mirror/app',
    signal: undefined,
    headBlob: () => {
      calls.heads++;
      return Promise.resolve(options.here ? blob.size : undefined);
    },
    mountBlob: () => Promise.resolve('mounted' as const),
  } as unknown as ContentRepository;
  const events: CopyEvent[] = [];
  const run = () =>
    uploadShared({
      target,
      blob,
      caller: { targetName: 'registry.example/mirror/app:v1', emit: (e) => events.push(e), shared },
      shared,
      session: undefined,
      mountFrom: (candidates) => {
        calls.mounts.push([...candidates]);
        return Promise.resolve({ kind: 'mounted', from: candidates[0] ?? '' });
      },
      stream: () => {
        calls.streams++;
        return Promise.resolve({ kind: 'copied', bytes: blob.size });
      },
    });
  return { calls, events, run };
}

test('the worker before this one put the blob into this very repository: a HEAD finds it, no mount copies it again', async () => {
  const { calls, events, run } = rig({ seen: ['mirror/app', 'mirror/base'], waited: true, here: true });
  assert.deepEqual(await run(), { kind: 'skipped' });
  assert.equal(calls.heads, 1);
  assert.deepEqual(calls.mounts, [], 'a mount from mirror/base would link a blob the repository has');
  assert.equal(calls.streams, 0);
  assert.deepEqual(
    events.map((e) => e.type),
    ['blob-skipped'],
  );
});

test('seen only elsewhere after waiting: mounted from there without a HEAD here', async () => {
  const { calls, run } = rig({ seen: ['mirror/base'], waited: true, here: false });
  assert.deepEqual(await run(), { kind: 'mounted', from: 'mirror/base' });
  assert.equal(calls.heads, 0);
  assert.deepEqual(calls.mounts, [['mirror/base']]);
});

test('a sighting here that the HEAD does not confirm (a stale one): mounted from elsewhere', async () => {
  const { calls, run } = rig({ seen: ['mirror/app', 'mirror/base'], waited: true, here: false });
  assert.deepEqual(await run(), { kind: 'mounted', from: 'mirror/base' });
  assert.equal(calls.heads, 1);
  assert.deepEqual(calls.mounts, [['mirror/base']]);
});

test('not waited (nobody held the claim): no HEAD, the copy just looked; it mounts from elsewhere', async () => {
  const { calls, run } = rig({ seen: ['mirror/app', 'mirror/base'], waited: false, here: true });
  assert.deepEqual(await run(), { kind: 'mounted', from: 'mirror/base' });
  assert.equal(calls.heads, 0);
});
