import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdir, rm } from 'node:fs/promises';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type ImageSpec,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { baseLayer, dockerImage } from './fixtures.js';

let source: TestRegistry;
let target: TestRegistry;
let targetProxy: FaultProxy;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  targetProxy = await startFaultProxy(target);
});

after(async () => {
  const started = startedSoFar({ targetProxy, source, target });
  await started.targetProxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

const withTopLayer = (seed: string): ImageSpec => ({ ...dockerImage, layers: [baseLayer, { seed, size: 32 * 1024 }] });

test('blobs this process saw in a repository or its registry cost no HEAD: skipped outright, or mounted straight away', async (t) => {
  const [v1, v2] = await Promise.all([
    pushImage(withTopLayer('loc-one'), source, 'loc/app:v1'),
    pushImage(withTopLayer('loc-two'), source, 'loc/app:v2'),
  ]);
  const engine = new CopyEngine();
  t.after(() => engine.close());
  await engine.copy({ source: `${source.host}/loc/app:v1`, target: `${targetProxy.host}/loc/app:v1` });
  targetProxy.clearRequests();
  // Same repository: the shared base layer was put there by this process.
  const second = await engine.copy({ source: `${source.host}/loc/app:v2`, target: `${targetProxy.host}/loc/app:v2` });
  const shared = v1.blobs.filter((b) => v2.blobs.some((c) => c.digest === b.digest)).map((b) => b.digest);
  assert.ok(shared.includes(v2.blobs.find((b) => b.size > 1024 * 1024)?.digest ?? ''), 'the base layer is shared');
  for (const digest of shared) assert.equal(targetProxy.count('HEAD', new RegExp(`/blobs/${digest}`)), 0, `no HEAD for ${digest}`);
  assert.equal(second.blobsSkipped, shared.length);
  // Another repository of the same registry: mounted, with no HEAD before the mount.
  targetProxy.clearRequests();
  const third = await engine.copy({ source: `${source.host}/loc/app:v1`, target: `${targetProxy.host}/loc/other:v1` });
  assert.equal(third.blobsMounted, v1.blobs.length);
  assert.equal(targetProxy.count('HEAD', /\/blobs\//), 0);
  assert.equal(targetProxy.count('POST', /mount=/), v1.blobs.length);
  assert.equal((await skopeoInspectRaw(`${target.host}/loc/app:v2`, target)).digest, v2.digest);
  assert.equal((await skopeoInspectRaw(`${target.host}/loc/other:v1`, target)).digest, v1.digest);
});

test('a blob deleted behind the engine fails the manifest PUT once: the engine forgets what it saw, sends the blobs again and tags in the same copy', async (t) => {
  const [one, two] = await Promise.all([
    pushImage(withTopLayer('gone-one'), source, 'gone/app:v1'),
    pushImage(withTopLayer('gone-two'), source, 'gone/app:v2'),
  ]);
  const engine = new CopyEngine();
  t.after(() => engine.close());
  await engine.copy({ source: `${source.host}/gone/app:v1`, target: `${target.host}/gone/app:v1` });
  // Distribution lets a repository's blob link be deleted (storage.delete.enabled in the harness).
  const base = one.blobs.find((b) => b.size > 1024 * 1024)?.digest ?? '';
  const deleted = await fetch(`${target.url}/v2/gone/app/blobs/${base}`, { method: 'DELETE' });
  assert.equal(deleted.status, 202);
  const events: CopyEvent[] = [];
  const healed = await engine.copy(
    { source: `${source.host}/gone/app:v2`, target: `${target.host}/gone/app:v2` },
    { onEvent: (e) => events.push(e) },
  );
  assert.equal(healed.status, 'copied');
  // The new blobs in the first pass, the deleted base layer in the second; none counted twice.
  assert.equal(healed.blobsCopied, two.blobs.length);
  assert.equal(healed.blobsSkipped + healed.blobsMounted, 0);
  const retries = events.filter((e) => e.type === 'retry');
  assert.equal(retries.length, 1);
  assert.match(retries[0]?.type === 'retry' ? retries[0].reason : '', /MANIFEST_BLOB_UNKNOWN|blob unknown/i);
  assert.equal((await skopeoInspectRaw(`${target.host}/gone/app:v2`, target)).digest, two.digest);
});

test('a target registry restarted on empty storage behind a long-lived engine: the next copy of the same content heals in the same run', async (t) => {
  const wiped = await startRegistry();
  t.after(() => wiped.stop());
  const image = await pushImage(withTopLayer('wiped-one'), source, 'wiped/app:v1');
  const engine = new CopyEngine();
  t.after(() => engine.close());
  await engine.copy({ source: `${source.host}/wiped/app:v1`, target: `${wiped.host}/wiped/app:v1` });
  await wiped.kill();
  await rm(wiped.rootDir, { recursive: true });
  await mkdir(wiped.rootDir);
  await wiped.start();
  await assert.rejects(skopeoInspectRaw(`${wiped.host}/wiped/app:v1`, wiped), 'the storage is empty');
  // Another tag of the same content: the engine saw every blob there minutes ago.
  const again = await engine.copy({ source: `${source.host}/wiped/app:v1`, target: `${wiped.host}/wiped/app:again` });
  assert.equal(again.status, 'copied');
  assert.equal(again.blobsCopied, image.blobs.length, 'every blob was sent again');
  // And --force of the first tag, in the same process: its sightings were renewed by the copy above.
  const forced = await engine.copy({ source: `${source.host}/wiped/app:v1`, target: `${wiped.host}/wiped/app:v1`, force: true });
  assert.equal(forced.status, 'copied');
  for (const tag of ['again', 'v1']) assert.equal((await skopeoInspectRaw(`${wiped.host}/wiped/app:${tag}`, wiped)).digest, image.digest);
});
