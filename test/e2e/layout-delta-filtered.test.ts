import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pushArtifact, pushImage, pushReferrersTag, skopeoInspectRaw, skopeoListTags, subjectOf } from '../harness/index.js';
import { ociIndex } from './fixtures.js';
import { carried, copy, everything, names, useLayoutRig } from './layout-delta-kit.js';

/*
 * Delta bundles of a multi-platform image exported with a platform filter: the base holds a new
 * index the filter wrote (its bytes are neither at the source nor in the delta). A new signature
 * of a kept platform's manifest travels in the delta, and base then delta imported into a fresh
 * registry bring it byte for byte; without referrers the unchanged image is skipped.
 */

const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const PLATFORMS = ['linux/amd64', 'linux/arm64/v8'];

const rig = useLayoutRig('layout-delta-filtered');

/** The base bundle of `repo:v1`, two of its three platforms; the digest of the index the filter wrote. */
async function filteredBase(repo: string, base: string): Promise<string> {
  const written = await copy(
    { source: `${rig.source.host}/${repo}:v1`, target: `oci:${base}:${repo}:v1`, platforms: PLATFORMS },
    `oci:${base}`,
  );
  assert.equal(written.status, 'copied');
  return written.digest;
}

test('a delta made with a platform filter carries a new signature of a kept platform of the index its base filtered: base then delta imported, with or without the filter, bring it', async () => {
  const { source, fresh, front, scratch } = rig;
  const repo = 'filtered/app';
  const built = await pushImage(ociIndex, source, `${repo}:v1`);
  const child = built.children?.[1];
  assert.ok(child);
  const base = join(scratch, 'sig-base');
  const filtered = await filteredBase(repo, base);
  assert.notEqual(filtered, built.digest, 'the filter wrote a new index');

  // The arm64 manifest is signed at the source after the base went across.
  const sig = await pushArtifact(source, repo, await subjectOf(source, repo, child.digest), { artifactType: SIG, seed: 'filtered-sig' });
  const sigs = await pushReferrersTag(source, repo, child.digest, [sig]);
  const delta = join(scratch, 'sig-delta');
  const task = { source: `${source.host}/${repo}:v1`, target: `oci:${delta}:${repo}:v1`, platforms: PLATFORMS, since: base };
  const exported = await copy(task, `oci:${delta}`);
  assert.equal(exported.status, 'skipped');
  assert.equal(exported.digest, filtered);
  assert.deepEqual(exported.referrers, { copied: 1, present: 0, failed: 0 });
  assert.deepEqual(await names(delta), [`${repo}:v1 ${filtered}`, `${repo}:${sigs.tag} ${sigs.digest}`].sort());
  const held = await carried(delta);
  for (const digest of [filtered, ...everything(built)]) assert.ok(!held.has(digest), `${digest} not carried`);
  assert.ok(held.has(sig.digest) && held.has(sigs.digest));

  // Machine B: the base, then the delta, by name.
  assert.equal((await copy({ source: `oci:${base}:${repo}:v1`, target: `${front.host}/${repo}:v1` })).status, 'copied');
  front.clearRequests();
  const imported = await copy({ source: `oci:${delta}:${repo}:v1`, target: `${front.host}/${repo}:v1` });
  assert.equal(imported.status, 'skipped', 'the filtered index came with the base');
  assert.deepEqual(imported.referrers, { copied: 1, present: 0, failed: 0 });
  assert.equal(front.count('PUT', new RegExp(`/manifests/${filtered}`)), 0);

  // Machine B's rule filters the same platforms: the index the delta names (bytes in the base) is read at the target.
  front.clearRequests();
  const again = await copy({ source: `oci:${delta}:${repo}:v1`, target: `${front.host}/${repo}:v1`, platforms: PLATFORMS });
  assert.equal(again.digest, filtered, 'the filter keeps both platforms of the filtered index');
  assert.equal(again.blobsCopied, 0);
  assert.equal(front.count('PUT', /\/blobs\/uploads\//), 0);
  assert.deepEqual(again.referrers, { copied: 0, present: 1, failed: 0 });
  // Where the base was not imported (another repository), the delta still says which bundle to import first.
  await assert.rejects(
    copy({ source: `oci:${delta}:${repo}:v1`, target: `${front.host}/elsewhere/app:v1`, platforms: PLATFORMS }),
    (error: Error & { code?: string }) =>
      error.code === 'BLOB_MISSING' && error.message.includes('import the bundle "sig-base" there first'),
  );

  const at = (ref: string) => skopeoInspectRaw(`${fresh.host}/${repo}${ref}`, fresh);
  assert.deepEqual((await skopeoListTags(`${fresh.host}/${repo}`, fresh)).sort(), ['v1', sigs.tag].sort());
  assert.equal((await at(':v1')).digest, filtered);
  assert.equal((await at(`:${sigs.tag}`)).digest, sigs.digest, "the child's fallback index byte for byte");
  assert.equal((await at(`@${sig.digest}`)).raw.toString(), sig.bytes.toString(), 'the signature byte for byte');
});

test('a delta made with a platform filter and without referrers skips the image its base filtered and carries nothing of it', async () => {
  const { source, upstream, scratch } = rig;
  const repo = 'filtered/plain';
  await pushImage(ociIndex, source, `${repo}:v1`);
  const base = join(scratch, 'plain-base');
  const filtered = await filteredBase(repo, base);
  const delta = join(scratch, 'plain-delta');
  upstream.clearRequests();
  const task = {
    source: `${upstream.host}/${repo}:v1`,
    target: `oci:${delta}:${repo}:v1`,
    platforms: PLATFORMS,
    since: base,
    referrers: false,
  };
  const exported = await copy(task, `oci:${delta}`);
  assert.equal(exported.status, 'skipped');
  assert.equal(exported.digest, filtered);
  assert.equal(exported.manifestsWritten, 0);
  // Nothing to carry: no blob is read from the source, the delta is an empty layout (layout-delta-empty).
  assert.equal(upstream.count('GET', /\/blobs\//), 0);
  assert.deepEqual(await names(delta), []);
  assert.equal((await carried(delta)).size, 0);
});
