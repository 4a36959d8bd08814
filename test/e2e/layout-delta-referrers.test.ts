import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  pushArtifact,
  pushCosignTag,
  pushImage,
  pushReferrersTag,
  sha256,
  skopeo,
  skopeoInspectRaw,
  skopeoListTags,
  subjectOf,
} from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { copy, REF_NAME, uploaded, useLayoutRig } from './layout-delta-kit.js';

/*
 * A delta bundle over an image its base already held, signed since: the delta carries the new
 * signature and names the image too (its manifest stays in the base), so an import that selects
 * the image by name reaches the signature. The other image, unchanged, is neither carried nor named.
 */

const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';

const rig = useLayoutRig('layout-delta-referrers');

interface IndexJson {
  manifests: Array<{ mediaType: string; digest: string; size: number; annotations?: Record<string, string> }>;
}

const names = async (layout: string) =>
  (JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as IndexJson).manifests.map(
    (m) => `${m.annotations?.[REF_NAME]} ${m.digest} ${m.mediaType} ${m.size}`,
  );

test('a delta names an image its base held when it carries a new signature of it: base then delta imported by name bring the signature, and no blob of the image', async () => {
  const { source, fresh, front, scratch } = rig;
  const repo = 'later/app';
  const built = await pushImage(ociImage, source, `${repo}:v1`);
  const other = await pushImage(dockerImage, source, 'later/other:v1');
  const base = join(scratch, 'base');
  const images = [`${repo}:v1`, 'later/other:v1'];
  for (const image of images) await copy({ source: `${source.host}/${image}`, target: `oci:${base}:${image}` }, `oci:${base}`);

  // Signed at the source after the base went across: an OCI 1.1 artifact (fallback tag) and a cosign tag.
  const subject = await subjectOf(source, repo, 'v1');
  const sig = await pushArtifact(source, repo, subject, { artifactType: SIG, seed: 'later-sig' });
  const fallback = await pushReferrersTag(source, repo, subject.digest, [sig]);
  const cosign = await pushCosignTag(source, repo, subject.digest, 'sig', 'later-cosign');

  const delta = join(scratch, 'delta');
  const exportDelta = (image: string) =>
    copy({ source: `${source.host}/${image}`, target: `oci:${delta}:${image}`, since: base }, `oci:${delta}`);
  const signed = await exportDelta(`${repo}:v1`);
  const unchanged = await exportDelta('later/other:v1');
  assert.equal(signed.status, 'skipped');
  assert.deepEqual(signed.referrers, { copied: 2, present: 0, failed: 0 });
  assert.equal(unchanged.status, 'skipped');
  assert.deepEqual(unchanged.referrers, { copied: 0, present: 0, failed: 0 });

  // The delta names the image (its manifest, in the base, described as the base listed it), its
  // fallback index and its cosign tag; the unchanged image is not named; no blob of either image is carried.
  const listed = await names(delta);
  assert.deepEqual(
    listed.map((n) => n.split(' ').slice(0, 2).join(' ')).sort(),
    [`${repo}:v1 ${built.digest}`, `${repo}:${fallback.tag} ${fallback.digest}`, `${repo}:${cosign.tag} ${cosign.digest}`].sort(),
  );
  assert.ok(listed.includes(`${repo}:v1 ${built.digest} ${subject.mediaType} ${subject.size}`), listed.join('\n'));
  const carried = new Set((await readdir(join(delta, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`));
  for (const image of [built, other])
    for (const digest of [image.digest, ...image.blobs.map((b) => b.digest)]) assert.ok(!carried.has(digest), `${digest} not carried`);
  assert.ok(carried.has(sig.digest) && carried.has(fallback.digest) && carried.has(cosign.digest));
  // skopeo reads what the delta holds by its names.
  assert.equal(sha256((await skopeo(['inspect', '--raw', `oci:${delta}:${repo}:${fallback.tag}`])).stdout), fallback.digest);

  // Machine B: the base, then the delta, each image selected by name, into a fresh registry.
  for (const image of images) {
    const imported = await copy({ source: `oci:${base}:${image}`, target: `${front.host}/${image}` });
    assert.equal(imported.status, 'copied');
  }
  front.clearRequests();
  const fromDelta = await copy({ source: `oci:${delta}:${repo}:v1`, target: `${front.host}/${repo}:v1` });
  assert.equal(fromDelta.status, 'skipped', 'the image itself came with the base');
  assert.deepEqual(fromDelta.referrers, { copied: 2, present: 0, failed: 0 });
  // The signature's blobs were written, and nothing of the image.
  const written = uploaded(front);
  assert.ok(written.length > 0);
  for (const digest of written) assert.ok(!built.blobs.some((b) => b.digest === digest), `${digest} of the image was written again`);
  assert.equal(front.count('POST', /[?&]mount=/), 0);

  // At the target, byte for byte: the image, the fallback index listing the signature, the cosign tag.
  const at = (ref: string) => skopeoInspectRaw(`${fresh.host}/${repo}${ref}`, fresh);
  assert.deepEqual((await skopeoListTags(`${fresh.host}/${repo}`, fresh)).sort(), ['v1', fallback.tag, cosign.tag].sort());
  assert.equal((await at(':v1')).digest, built.digest);
  assert.equal((await at(`:${fallback.tag}`)).digest, fallback.digest, 'the fallback index byte for byte');
  assert.equal((await at(`:${cosign.tag}`)).digest, cosign.digest, 'the cosign tag byte for byte');
  assert.equal((await at(`@${sig.digest}`)).raw.toString(), sig.bytes.toString());
  assert.equal((await skopeoInspectRaw(`${fresh.host}/later/other:v1`, fresh)).digest, other.digest);
});
