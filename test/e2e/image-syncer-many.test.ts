import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  startedSoFar,
  type FaultProxy,
  type TestRegistry,
} from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { tags, workDir as inDir } from './image-syncer-kit.js';
import { runCli, tempDir } from './load-harness.js';

/*
 * image-syncer's list of destinations (many-to-many): one source read, several targets written.
 * Two targets on two real registries; the source behind a fault proxy that counts its blob GETs,
 * the second target behind one that can break its uploads.
 */

let source: TestRegistry;
let first: TestRegistry;
let second: TestRegistry;
let sourceProxy: FaultProxy;
let secondProxy: FaultProxy;
let dir: string;

before(async () => {
  [source, first, second] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  [sourceProxy, secondProxy] = await Promise.all([startFaultProxy(source), startFaultProxy(second)]);
  dir = await tempDir('pb-image-syncer-many-');
  await pushImage(ociImage, source, 'team/app:v1');
  await pushImage(dockerImage, source, 'team/app:v2');
});

after(async () => {
  const started = startedSoFar({ source, first, second, sourceProxy, secondProxy });
  await Promise.all([started.sourceProxy?.close(), started.secondProxy?.close()]);
  await Promise.all([started.source?.stop(), started.first?.stop(), started.second?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const blobGets = (proxy: FaultProxy): string[] =>
  proxy.requests
    .filter((r) => r.method === 'GET' && r.path.includes('/v2/team/app/blobs/sha256:'))
    .map((r) => r.path.split('/').pop() ?? '');

test('a list of destinations on two registries: each source blob is read once, both targets get the image', async () => {
  sourceProxy.clearRequests();
  const images = `${sourceProxy.host}/team/app:v1:\n  - ${first.host}/many/app\n  - ${secondProxy.host}/many/app\n`;
  const work = await inDir(dir, 'once', { 'images.yaml': images });
  const result = await runCli(['image-syncer', '--images', 'images.yaml'], {}, work);
  assert.equal(result.code, 0, result.stderr);

  const want = (await skopeoInspectRaw(`${source.host}/team/app:v1`, source)).digest;
  const [a, b] = await Promise.all([
    skopeoInspectRaw(`${first.host}/many/app:v1`, first),
    skopeoInspectRaw(`${second.host}/many/app:v1`, second),
  ]);
  assert.equal(a.digest, want);
  assert.equal(b.digest, want);

  const gets = blobGets(sourceProxy);
  const manifest = JSON.parse((await skopeoInspectRaw(`${source.host}/team/app:v1`, source)).raw.toString()) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  const blobs = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  assert.deepEqual([...gets].sort(), [...new Set(blobs)].sort(), 'every blob of the image GET exactly once at the source');
  const manifestGets = sourceProxy.requests.filter((r) => r.method === 'GET' && r.path.includes('/v2/team/app/manifests/'));
  assert.ok(manifestGets.length <= 1, `the source manifest read once, not ${manifestGets.length} times`);
});

test('one target failing mid-upload: the other completes, the failing one gets no tag', async () => {
  secondProxy.addFault({
    method: 'PUT',
    pathPattern: /\/blobs\/uploads\//,
    times: 1000,
    action: { kind: 'cut-request', afterBytes: 64 * 1024 },
  });
  try {
    const images = `${sourceProxy.host}/team/app:v2:\n  - ${first.host}/fails/app\n  - ${secondProxy.host}/fails/app\n`;
    const work = await inDir(dir, 'one-fails', { 'images.yaml': images });
    const result = await runCli(['image-syncer', '--images', 'images.yaml', '--retries', '0'], {}, work);
    assert.equal(result.code, 1, result.stderr);
    const want = (await skopeoInspectRaw(`${source.host}/team/app:v2`, source)).digest;
    assert.equal((await skopeoInspectRaw(`${first.host}/fails/app:v2`, first)).digest, want);
    assert.deepEqual(await tags(second, 'fails/app'), [], 'the target whose upload broke is not tagged');
    assert.match(result.stderr, new RegExp(`${secondProxy.host}/fails/app:v2`));
  } finally {
    secondProxy.clearFaults();
  }
});
