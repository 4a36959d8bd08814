import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { makeTempDir, removeTempDir } from './procs.js';
import { dockerImage, dockerList, ociImage, ociIndex } from './self-test-fixtures.js';
import {
  buildImage,
  pushImage,
  skopeo,
  skopeoCopyToLayout,
  skopeoInspectRaw,
  skopeoListTags,
  startRegistry,
  type TestRegistry,
} from './index.js';
import { startedSoFar } from './started-so-far.js';

let registry: TestRegistry;
let scratch: string;

before(async () => {
  registry = await startRegistry();
  scratch = await makeTempDir('images-test');
});

after(async () => {
  const started = startedSoFar({ registry });
  await started.registry?.stop();
  if (scratch) await removeTempDir(scratch);
});

const cases = [
  ['OCI image', 'oci-image', ociImage, 'application/vnd.oci.image.manifest.v1+json'],
  ['Docker schema2 image', 'docker-image', dockerImage, 'application/vnd.docker.distribution.manifest.v2+json'],
  ['OCI index', 'oci-index', ociIndex, 'application/vnd.oci.image.index.v1+json'],
  ['Docker manifest list', 'docker-list', dockerList, 'application/vnd.docker.distribution.manifest.list.v2+json'],
] as const;

for (const [title, repo, spec, mediaType] of cases) {
  test(`${title}: pushed and served with the exact digest, children by digest, copyable to a layout`, async () => {
    const built = await pushImage(spec, registry, `img/${repo}:v1`);
    assert.equal(built.mediaType, mediaType);
    const served = await skopeoInspectRaw(`${registry.host}/img/${repo}:v1`, registry);
    assert.equal(served.digest, built.digest);
    assert.ok(served.raw.equals(built.manifest));
    assert.equal((JSON.parse(served.raw.toString('utf8')) as { mediaType: string }).mediaType, mediaType);
    for (const child of built.children ?? []) {
      assert.equal((await skopeoInspectRaw(`${registry.host}/img/${repo}@${child.digest}`, registry)).digest, child.digest);
    }
    const layout = join(scratch, repo);
    await skopeoCopyToLayout(`${registry.host}/img/${repo}:v1`, registry, layout);
    assert.ok((await stat(join(layout, 'index.json'))).isFile());
  });
}

test('builds are deterministic and blobs are unique config + layers', async () => {
  const [a, b] = [await buildImage(ociImage), await buildImage({ ...ociImage, layers: ociImage.layers.map((l) => ({ ...l })) })];
  assert.equal(a.digest, b.digest);
  assert.equal(a.blobs.length, 4);
  const index = await buildImage(ociIndex);
  assert.equal(index.children?.length, 2);
  assert.equal(index.blobs.length, 2 + 2 + 2, 'two configs, two own layers, shared base and empty layers once');
  const labelled = await buildImage({ ...ociImage, label: 'other' });
  assert.notEqual(labelled.digest, a.digest);
});

test('a layer is a gzip tar whose uncompressed sha256 is the diff_id in the config', async () => {
  const built = await buildImage(ociImage);
  const manifest = JSON.parse(built.manifest.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const blob = (digest: string) => readFile(join(built.layoutDir, 'blobs', 'sha256', digest.slice(7)));
  const config = JSON.parse((await blob(manifest.config.digest)).toString('utf8')) as {
    rootfs: { diff_ids: string[] };
    architecture: string;
  };
  assert.equal(config.architecture, 'amd64');
  for (const [i, layer] of manifest.layers.entries()) {
    const tar = gunzipSync(await blob(layer.digest));
    assert.equal(`sha256:${createHash('sha256').update(tar).digest('hex')}`, config.rootfs.diff_ids[i]);
    assert.equal(tar.length % 512, 0);
  }
});

test('one child of a Docker list can be pushed alone from its layoutRef; tags are listed', async () => {
  const built = await buildImage(dockerList);
  const child = built.children?.[1];
  assert.ok(child);
  await skopeo(
    ['copy', '--quiet', '--preserve-digests', ...registry.skopeoFlags('dest'), child.layoutRef, `docker://${registry.host}/img/child:arm`],
    registry,
  );
  assert.equal((await skopeoInspectRaw(`${registry.host}/img/child:arm`, registry)).digest, child.digest);
  await pushImage(dockerImage, registry, 'img/child:v2');
  assert.deepEqual((await skopeoListTags(`${registry.host}/img/child`, registry)).sort(), ['arm', 'v2']);
});

test('a layer over 100 MiB builds (streamed, cached per machine)', async () => {
  // Same spec as the e2e suites' large image, so both share the cached layer.
  const started = Date.now();
  const built = await buildImage({
    kind: 'image',
    format: 'oci',
    layers: [
      { seed: 'large', size: 110 * 1024 * 1024 },
      { seed: 'large-top', size: 64 * 1024 },
    ],
    platform: { os: 'linux', architecture: 'amd64' },
  });
  const biggest = Math.max(...built.blobs.map((b) => b.size));
  assert.ok(biggest > 110 * 1024 * 1024, `incompressible: ${biggest} bytes`);
  const big = built.blobs.find((b) => b.size === biggest);
  assert.ok(big);
  const file = await stat(join(built.layoutDir, 'blobs', 'sha256', big.digest.slice(7)));
  assert.equal(file.size, biggest);
  console.log(`large image ready in ${Date.now() - started} ms`);
});
