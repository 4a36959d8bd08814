import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { parseManifest } from '../../src/registry/index.js';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociIndex } from './fixtures.js';

let source: TestRegistry;
let target: TestRegistry;
let built: BuiltImage;
let engine: CopyEngine;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  built = await pushImage(ociIndex, source, 'multi/app:v1');
  engine = new CopyEngine();
});

after(async () => {
  const started = startedSoFar({ engine, source, target });
  await started.engine?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('one platform: that image itself is tagged at the target', async () => {
  const result = await engine.copy({
    source: `${source.host}/multi/app:v1`,
    target: `${target.host}/one/app:v1`,
    platforms: ['linux/arm64'],
  });
  const served = await skopeoInspectRaw(`${target.host}/one/app:v1`, target);
  const parsed = parseManifest(served.raw, undefined);
  assert.equal(parsed.kind, 'image');
  assert.equal(result.digest, served.digest);
  assert.notEqual(result.digest, built.digest);
  assert.equal(result.sourceDigest, built.digest);
  assert.ok(
    built.children?.some((c) => c.digest === served.digest),
    'it is one of the source children',
  );
  assert.match(result.note ?? '', /linux\/arm64\/v8/);
});

test('several platforms: a new index listing only them, with a digest that differs and says so', async () => {
  const result = await engine.copy({
    source: `${source.host}/multi/app:v1`,
    target: `${target.host}/two/app:v1`,
    platforms: ['linux/amd64', 'linux/arm/v7'],
  });
  const served = await skopeoInspectRaw(`${target.host}/two/app:v1`, target);
  const parsed = parseManifest(served.raw, undefined);
  assert.equal(parsed.kind, 'index');
  assert.deepEqual(parsed.manifests.map((m) => `${m.platform?.architecture}${m.platform?.variant ?? ''}`).sort(), ['amd64', 'armv7']);
  assert.equal(result.digest, served.digest);
  assert.notEqual(result.digest, built.digest);
  assert.match(result.note ?? '', /new index/);
  for (const m of parsed.manifests) assert.equal((await skopeoInspectRaw(`${target.host}/two/app@${m.digest}`, target)).digest, m.digest);
});

test('no platform filter: the index keeps its digest', async () => {
  const result = await engine.copy({ source: `${source.host}/multi/app:v1`, target: `${target.host}/all/app:v1` });
  assert.equal(result.digest, built.digest);
  assert.equal((await skopeoInspectRaw(`${target.host}/all/app:v1`, target)).digest, built.digest);
});

test('a platform the index does not have is an error naming what is available, and nothing is tagged', async () => {
  await assert.rejects(
    engine.copy({ source: `${source.host}/multi/app:v1`, target: `${target.host}/none/app:v1`, platforms: ['linux/s390x'] }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PLATFORM_NOT_FOUND');
      assert.match(error.message, /has no linux\/s390x image \(available: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7\)/);
      return true;
    },
  );
  await assert.rejects(skopeoInspectRaw(`${target.host}/none/app:v1`, target));
});
