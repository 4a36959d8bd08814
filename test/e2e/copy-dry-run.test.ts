import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  pushArtifact,
  pushCosignTag,
  pushImage,
  pushReferrersTag,
  skopeoInspectRaw,
  skopeoListTags,
  subjectOf,
  type BuiltImage,
} from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';
import { runCli } from './load-harness.js';
import { useProxiedPair } from './proxied-pair.js';

// `picture-book copy --dry-run SRC DST` for one image: HEADs only (with --no-referrers), nothing
// written, against the real registry; with its signatures, the listings that find them too.
let image: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  image = await pushImage(ociImage, source, 'team/app:v1');
});

test('copy --dry-run says "would copy" with the digest and writes nothing; after the copy it says "up to date"; only HEADs either way', async () => {
  const src = `${pair.sourceProxy.host}/team/app:v1`;
  const dst = `${pair.targetProxy.host}/dry/app`;
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const before = await runCli(['copy', '--dry-run', '--no-referrers', src, dst]);
  assert.equal(before.code, 0, before.stderr);
  assert.equal(before.stdout.trim(), `would copy ${src} -> ${dst}:v1 (${image.digest}; dry run, nothing written)`);
  const catalog = (await (await fetch(`${pair.target.url}/v2/_catalog`)).json()) as { repositories: string[] };
  assert.deepEqual(catalog.repositories, [], 'the dry run created no repository');

  const copied = await runCli(['copy', src, dst]);
  assert.equal(copied.code, 0, copied.stderr);
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/dry/app:v1`, pair.target)).digest, image.digest);

  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const after = await runCli(['copy', '--dry-run', '--no-referrers', src, dst]);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout.trim(), `up to date: ${dst}:v1 already has ${image.digest} (dry run)`);
  const methods = [...pair.sourceProxy.requests, ...pair.targetProxy.requests].map(
    (r) => `${r.method} ${r.path.replace(/\/v2\/.*\/manifests\//, 'manifest ')}`,
  );
  assert.deepEqual(
    methods.filter((m) => !m.startsWith('HEAD ') && m !== 'GET /v2/'),
    [],
    'HEADs only (and the ping)',
  );
  assert.equal(pair.sourceProxy.count('HEAD', /\/manifests\//) + pair.targetProxy.count('HEAD', /\/manifests\//), 2);
});

test("copy --dry-run lists the signatures and attestations that would come, by type, those of an index's children too; writes nothing", async () => {
  const repo = 'team/signed';
  await pushImage(ociIndex, pair.source, `${repo}:v1`);
  const index = await subjectOf(pair.source, repo, 'v1');
  const doc = JSON.parse((await skopeoInspectRaw(`${pair.source.host}/${repo}:v1`, pair.source)).raw.toString()) as {
    manifests: Array<{ digest: string; mediaType: string; size: number }>;
  };
  const child = doc.manifests[0];
  assert.ok(child);
  const sig = await pushArtifact(pair.source, repo, index, { artifactType: 'application/example.sig', seed: 'index-sig' });
  await pushReferrersTag(pair.source, repo, index.digest, [sig]);
  const sbom = await pushArtifact(pair.source, repo, child, { artifactType: 'application/spdx+json', seed: 'child-sbom' });
  await pushReferrersTag(pair.source, repo, child.digest, [sbom]);
  await pushCosignTag(pair.source, repo, index.digest, 'sig', 'index-cosign');
  const src = `${pair.sourceProxy.host}/${repo}:v1`;
  const dst = `${pair.targetProxy.host}/dry/signed`;

  const before = await runCli(['copy', '--dry-run', src, dst]);
  assert.equal(before.code, 0, before.stderr);
  assert.deepEqual(before.stdout.trim().split('\n'), [
    `would copy ${src} -> ${dst}:v1 (${index.digest}; dry run, nothing written)`,
    '  signatures and attestations: would copy 3 referrers (1 application/example.sig, 1 application/spdx+json, 1 cosign .sig)',
  ]);
  const catalog = (await (await fetch(`${pair.target.url}/v2/_catalog`)).json()) as { repositories: string[] };
  assert.ok(!catalog.repositories.includes('dry/signed'), 'the dry run created no repository');

  // The image copied without them: the dry run says it is up to date and what would still come.
  const copied = await runCli(['copy', '--no-referrers', src, dst]);
  assert.equal(copied.code, 0, copied.stderr);
  const after = await runCli(['copy', '--dry-run', src, dst]);
  assert.deepEqual(after.stdout.trim().split('\n'), [
    `up to date: ${dst}:v1 already has ${index.digest} (dry run)`,
    '  signatures and attestations: would copy 3 referrers (1 application/example.sig, 1 application/spdx+json, 1 cosign .sig)',
  ]);
  assert.deepEqual(await skopeoListTags(`${pair.target.host}/dry/signed`, pair.target), ['v1']);
});
