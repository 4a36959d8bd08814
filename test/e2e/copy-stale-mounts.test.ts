import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { CopyEngine } from '../../src/copy/index.js';
import { MOUNT_ATTEMPTS } from '../../src/copy/blob-copier.js';
import { BlobClaims } from '../../src/queue/blob-claims.js';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRedis,
  startRegistry,
  startedSoFar,
  type BuiltImage,
  type FaultProxy,
  type ImageSpec,
  type TestRedis,
  type TestRegistry,
} from '../harness/index.js';

/*
 * Sightings gone stale together (the target's repositories deleted, its storage wiped or
 * garbage-collected behind a long-lived process): every mount from them is refused, and each
 * refusal costs the registry an upload session opened and deleted. A copy of a blob asks for a
 * bounded number of mounts, and never twice the same one. Counted at the target's proxy.
 */

let source: TestRegistry;
let target: TestRegistry;
let targetProxy: FaultProxy;
let redis: TestRedis;

before(async () => {
  [source, target, redis] = await Promise.all([startRegistry(), startRegistry(), startRedis()]);
  targetProxy = await startFaultProxy(target);
});

after(async () => {
  const started = startedSoFar({ targetProxy, source, target, redis });
  await started.targetProxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop(), started.redis?.stop()]);
});

const image = (seed: string): ImageSpec => ({
  kind: 'image',
  format: 'oci',
  layers: [{ seed: `${seed}-layer`, size: 64 * 1024 }],
  platform: { os: 'linux', architecture: 'amd64' },
});

/** Distribution lets a repository's blob link be deleted (storage.delete.enabled in the harness): a sighting there goes stale. */
async function unlink(repository: string, digest: string): Promise<void> {
  const deleted = await fetch(`${target.url}/v2/${repository}/blobs/${digest}`, { method: 'DELETE' });
  assert.equal(deleted.status, 202, `DELETE of ${digest} in ${repository}`);
}

/** The image's layer: its biggest blob (the other is its config). */
const layerOf = (built: BuiltImage): string => built.blobs.reduce((a, b) => (b.size > a.size ? b : a)).digest;

const mountsOf = (digest: string): number => targetProxy.count('POST', new RegExp(`mount=${encodeURIComponent(digest)}&`));

test('a blob this process saw in 5 repositories, all since unlinked: at most MOUNT_ATTEMPTS mounts are asked for, then the bytes go', async (t) => {
  const built = await pushImage(image('stale-local'), source, 'stale/app:v1');
  const layer = layerOf(built);
  const engine = new CopyEngine();
  t.after(() => engine.close());
  const repositories = ['one', 'two', 'three', 'four', 'five'].map((r) => `stale-local/${r}`);
  for (const repository of repositories)
    await engine.copy({ source: `${source.host}/stale/app:v1`, target: `${targetProxy.host}/${repository}:v1` });
  for (const repository of repositories) await unlink(repository, layer);
  targetProxy.clearRequests();
  const copied = await engine.copy({ source: `${source.host}/stale/app:v1`, target: `${targetProxy.host}/stale-local/six:v1` });
  assert.equal(copied.status, 'copied');
  assert.equal(MOUNT_ATTEMPTS < repositories.length, true, 'the test has more stale sightings than the bound');
  assert.equal(mountsOf(layer), MOUNT_ATTEMPTS, 'refused mounts asked for');
  assert.equal(copied.blobsCopied, 1, 'the layer was sent');
  assert.equal((await skopeoInspectRaw(`${target.host}/stale-local/six:v1`, target)).digest, built.digest);
});

test('stale sightings shared through Redis: each is asked for once, not again when the copy holds the upload claim and reads them anew', async (t) => {
  const built = await pushImage(image('stale-shared'), source, 'stale/shared:v1');
  const layer = layerOf(built);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  t.after(() => connection.quit());
  const claims = new BlobClaims(connection, { name: 'stale-mounts' });
  // Two repositories another worker reported holding the layer, which hold nothing now.
  for (const repository of ['stale-shared/gone-a', 'stale-shared/gone-b']) await claims.sighted(targetProxy.host, layer, repository);
  const engine = new CopyEngine();
  t.after(() => engine.close());
  targetProxy.clearRequests();
  const copied = await engine.copy(
    { source: `${source.host}/stale/shared:v1`, target: `${targetProxy.host}/stale-shared/app:v1` },
    { sharedBlobs: claims },
  );
  assert.equal(copied.status, 'copied');
  assert.equal(mountsOf(layer), 2, 'each stale sighting asked once');
  assert.equal(copied.blobsCopied, built.blobs.length, 'the layer was sent (and the config, seen nowhere)');
  // The upload sessions the refused mounts opened: the last one carries the bytes, the other was deleted.
  assert.equal(targetProxy.count('DELETE', /\/blobs\/uploads\//), 1);
  assert.ok((await claims.sightings(targetProxy.host, layer)).includes('stale-shared/app'), 'the upload was reported where it landed');
});
