import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  pushArtifact,
  pushImage,
  pushReferrersTag,
  sha256,
  skopeo,
  skopeoInspectRaw,
  skopeoListTags,
  subjectOf,
} from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';
import { carried, copy, everything, names, uploaded, useLayoutRig } from './layout-delta-kit.js';

/*
 * Delta bundles over images their base already held, where what is new sits below the image: a
 * signature of its SBOM (the image's own fallback index unchanged), and a signature of one child
 * of a multi-platform index. The delta names the image and the referrer tags on the way down, so
 * an import of base then delta, each image selected by name, brings what is new; no blob of the
 * image is carried.
 */

const SBOM = 'application/spdx+json';
const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';

const rig = useLayoutRig('layout-delta-nested');

/** Machine B: the base, then the delta, the image selected by name, into the fresh registry; the delta's import returned. */
async function importBaseThenDelta(base: string, delta: string, image: string) {
  const { front } = rig;
  assert.equal((await copy({ source: `oci:${base}:${image}`, target: `${front.host}/${image}` })).status, 'copied');
  front.clearRequests();
  return copy({ source: `oci:${delta}:${image}`, target: `${front.host}/${image}` });
}

test('a delta carrying a new signature of an SBOM of an image its base held names the image and its fallback tag: base then delta imported by name bring the signature', async () => {
  const { source, fresh, front, scratch } = rig;
  const repo = 'nested/app';
  const built = await pushImage(ociImage, source, `${repo}:v1`);
  const subject = await subjectOf(source, repo, 'v1');
  const sbom = await pushArtifact(source, repo, subject, { artifactType: SBOM, seed: 'nested-sbom' });
  const sboms = await pushReferrersTag(source, repo, subject.digest, [sbom]);
  const base = join(scratch, 'sbom-base');
  await copy({ source: `${source.host}/${repo}:v1`, target: `oci:${base}:${repo}:v1` }, `oci:${base}`);

  // The SBOM is signed at the source after the base went across; the image's own fallback index does not change.
  const sig = await pushArtifact(source, repo, sbom, { artifactType: SIG, seed: 'nested-sig' });
  const sigs = await pushReferrersTag(source, repo, sbom.digest, [sig]);
  const delta = join(scratch, 'sbom-delta');
  const exported = await copy({ source: `${source.host}/${repo}:v1`, target: `oci:${delta}:${repo}:v1`, since: base }, `oci:${delta}`);
  assert.equal(exported.status, 'skipped');
  assert.deepEqual(exported.referrers, { copied: 1, present: 1, failed: 0 });

  // Named: the image and its fallback index (both as the base named them, bytes in the base), the SBOM's new fallback index.
  assert.deepEqual(
    await names(delta),
    [`${repo}:v1 ${built.digest}`, `${repo}:${sboms.tag} ${sboms.digest}`, `${repo}:${sigs.tag} ${sigs.digest}`].sort(),
  );
  const held = await carried(delta);
  for (const digest of [...everything(built), sbom.digest, sboms.digest]) assert.ok(!held.has(digest), `${digest} not carried`);
  assert.ok(held.has(sig.digest) && held.has(sigs.digest));
  assert.equal(sha256((await skopeo(['inspect', '--raw', `oci:${delta}:${repo}:${sigs.tag}`])).stdout), sigs.digest);

  const imported = await importBaseThenDelta(base, delta, `${repo}:v1`);
  assert.equal(imported.status, 'skipped', 'the image came with the base');
  assert.deepEqual(imported.referrers, { copied: 1, present: 1, failed: 0 });
  for (const digest of uploaded(front)) assert.ok(!everything(built).includes(digest), `${digest} of the image was written again`);
  assert.equal(front.count('POST', /[?&]mount=/), 0);

  // At the target, byte for byte: the image, the SBOM, its signature and the SBOM's fallback index.
  const at = (ref: string) => skopeoInspectRaw(`${fresh.host}/${repo}${ref}`, fresh);
  assert.deepEqual((await skopeoListTags(`${fresh.host}/${repo}`, fresh)).sort(), ['v1', sboms.tag, sigs.tag].sort());
  assert.equal((await at(':v1')).digest, built.digest);
  assert.equal((await at(`:${sboms.tag}`)).digest, sboms.digest);
  assert.equal((await at(`:${sigs.tag}`)).digest, sigs.digest, 'the SBOM fallback index byte for byte');
  assert.equal((await at(`@${sbom.digest}`)).raw.toString(), sbom.bytes.toString());
  assert.equal((await at(`@${sig.digest}`)).raw.toString(), sig.bytes.toString(), 'the nested signature byte for byte');
});

test('a delta carrying a new signature of a child of a multi-platform index its base held names the index: base then delta imported by name bring the signature', async () => {
  const { source, fresh, scratch } = rig;
  const repo = 'nested/multi';
  const built = await pushImage(ociIndex, source, `${repo}:v1`);
  const child = built.children?.[1];
  assert.ok(child);
  const base = join(scratch, 'index-base');
  await copy({ source: `${source.host}/${repo}:v1`, target: `oci:${base}:${repo}:v1` }, `oci:${base}`);

  // One platform's manifest is signed at the source after the base went across.
  const sig = await pushArtifact(source, repo, await subjectOf(source, repo, child.digest), { artifactType: SIG, seed: 'child-sig' });
  const sigs = await pushReferrersTag(source, repo, child.digest, [sig]);
  const delta = join(scratch, 'index-delta');
  const exported = await copy({ source: `${source.host}/${repo}:v1`, target: `oci:${delta}:${repo}:v1`, since: base }, `oci:${delta}`);
  assert.equal(exported.status, 'skipped');
  assert.deepEqual(exported.referrers, { copied: 1, present: 0, failed: 0 });

  assert.deepEqual(await names(delta), [`${repo}:v1 ${built.digest}`, `${repo}:${sigs.tag} ${sigs.digest}`].sort());
  const held = await carried(delta);
  for (const digest of everything(built)) assert.ok(!held.has(digest), `${digest} not carried`);
  assert.ok(held.has(sig.digest) && held.has(sigs.digest));
  assert.equal(sha256((await skopeo(['inspect', '--raw', `oci:${delta}:${repo}:${sigs.tag}`])).stdout), sigs.digest);

  const imported = await importBaseThenDelta(base, delta, `${repo}:v1`);
  assert.equal(imported.status, 'skipped', 'the index came with the base');
  assert.deepEqual(imported.referrers, { copied: 1, present: 0, failed: 0 });
  for (const digest of uploaded(rig.front)) assert.ok(!everything(built).includes(digest), `${digest} of the index was written again`);

  const at = (ref: string) => skopeoInspectRaw(`${fresh.host}/${repo}${ref}`, fresh);
  assert.deepEqual((await skopeoListTags(`${fresh.host}/${repo}`, fresh)).sort(), ['v1', sigs.tag].sort());
  assert.equal((await at(':v1')).digest, built.digest);
  assert.equal((await at(`:${sigs.tag}`)).digest, sigs.digest, "the child's fallback index byte for byte");
  assert.equal((await at(`@${sig.digest}`)).raw.toString(), sig.bytes.toString(), 'the signature byte for byte');
});
