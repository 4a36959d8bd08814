import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pushArtifact, pushImage, pushReferrersTag, skopeoInspectRaw, subjectOf } from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';
import { copy, names, useLayoutRig } from './layout-delta-kit.js';

/*
 * A forced import of a delta bundle whose images' content stayed in the base (the delta names the
 * image for its new signature): the import writes the tag again from what the target already holds
 * (importing the base put it there), as a forced copy rewrites what is there, and brings the signature.
 */

const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const rig = useLayoutRig('layout-delta-force');

for (const [kind, spec] of [
  ['an image', ociImage],
  ['a multi-platform index', ociIndex],
] as const) {
  test(`a forced import of a delta naming ${kind} whose content is in the base re-tags it from the target and brings the new signature`, async () => {
    const { source, fresh, front, scratch } = rig;
    const repo = `force/${spec === ociImage ? 'image' : 'index'}`;
    const built = await pushImage(spec, source, `${repo}:v1`);
    const base = join(scratch, `${repo.replace('/', '-')}-base`);
    await copy({ source: `${source.host}/${repo}:v1`, target: `oci:${base}:${repo}:v1` }, `oci:${base}`);
    const subject = await subjectOf(source, repo, 'v1');
    const sig = await pushArtifact(source, repo, subject, { artifactType: SIG, seed: `force-${repo}` });
    const sigs = await pushReferrersTag(source, repo, subject.digest, [sig]);
    const delta = join(scratch, `${repo.replace('/', '-')}-delta`);
    await copy({ source: `${source.host}/${repo}:v1`, target: `oci:${delta}:${repo}:v1`, since: base }, `oci:${delta}`);
    assert.ok((await names(delta)).includes(`${repo}:v1 ${built.digest}`), 'the delta names the image, its bytes in the base');

    assert.equal((await copy({ source: `oci:${base}:${repo}:v1`, target: `${front.host}/${repo}:v1` })).status, 'copied');
    front.clearRequests();
    const forced = await copy({ source: `oci:${delta}:${repo}:v1`, target: `${front.host}/${repo}:v1`, force: true });
    assert.equal(forced.status, 'copied', 'forced: written again');
    assert.equal(forced.digest, built.digest);
    assert.deepEqual(forced.referrers, { copied: 1, present: 0, failed: 0 });
    assert.ok(front.count('PUT', new RegExp(`/v2/${repo}/manifests/v1$`)) >= 1, 'the tag was written again');
    const at = (ref: string) => skopeoInspectRaw(`${fresh.host}/${repo}${ref}`, fresh);
    assert.equal((await at(':v1')).digest, built.digest);
    assert.equal((await at(`@${sig.digest}`)).raw.toString(), sig.bytes.toString(), 'the signature byte for byte');
    assert.equal((await at(`:${sigs.tag}`)).digest, sigs.digest);
  });
}
