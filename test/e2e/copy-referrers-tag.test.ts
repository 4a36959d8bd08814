import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent, type CopyTask } from '../../src/copy/index.js';
import {
  pushArtifact,
  pushCosignTag,
  pushImage,
  pushReferrersTag,
  skopeoInspectRaw,
  skopeoListTags,
  subjectOf,
  type PushedArtifact,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/*
 * Signatures and attestations between two real distribution 2.8 registries, which have no
 * referrers API: found through the source's fallback tag `sha256-<hex>`, written with the target's
 * fallback tag kept by us; cosign's `.sig`/`.att` tags copied as tags. Checked with skopeo.
 */

const pair = useProxiedPair();

async function copy(task: CopyTask, events: CopyEvent[] = []) {
  const engine = new CopyEngine();
  try {
    return await engine.copy(task, { onEvent: (e) => events.push(e) });
  } finally {
    await engine.close();
  }
}

const tagOf = (digest: string) => digest.replace(':', '-');
const indexOf = (raw: Buffer) =>
  JSON.parse(raw.toString('utf8')) as { mediaType: string; manifests: Array<{ digest: string; artifactType?: string }> };

test('fallback tag: referrers (and a referrer of a referrer) and cosign tags follow the image; the target index keeps what it held; a rerun reads no manifest at the source', async () => {
  const repo = 'signed/app';
  const built = await pushImage(ociImage, pair.source, `${repo}:v1`);
  const subject = await subjectOf(pair.source, repo, 'v1');
  assert.equal(subject.digest, built.digest);
  const sig = await pushArtifact(pair.source, repo, subject, {
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    seed: 'sig',
  });
  const sbom = await pushArtifact(pair.source, repo, subject, { artifactType: 'application/spdx+json', seed: 'sbom' });
  const sbomSubject = { mediaType: sbom.mediaType, digest: sbom.digest, size: sbom.size };
  const sbomSig = await pushArtifact(pair.source, repo, sbomSubject, {
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    seed: 'sbom-sig',
  });
  const sourceIndex = await pushReferrersTag(pair.source, repo, subject.digest, [sig, sbom]);
  await pushReferrersTag(pair.source, repo, sbom.digest, [sbomSig]);
  const cosignSig = await pushCosignTag(pair.source, repo, subject.digest, 'sig', 'cosign');
  const cosignAtt = await pushCosignTag(pair.source, repo, subject.digest, 'att', 'cosign');

  // The target already lists another referrer of that digest in its fallback tag: it must stay.
  await pushImage(ociImage, pair.target, `${repo}:v1`);
  const theirs: PushedArtifact = await pushArtifact(pair.target, repo, subject, { artifactType: 'application/vnd.theirs', seed: 'theirs' });
  await pushReferrersTag(pair.target, repo, subject.digest, [theirs]);

  const task = { source: `${pair.sourceProxy.host}/${repo}:v1`, target: `${pair.targetProxy.host}/${repo}:v1` };
  const events: CopyEvent[] = [];
  const first = await copy(task, events);
  assert.equal(first.status, 'skipped', 'the image itself was already there');
  assert.deepEqual(first.referrers, { copied: 5, present: 0, failed: 0 });
  const copied = events.filter((e): e is Extract<CopyEvent, { type: 'referrer-copied' }> => e.type === 'referrer-copied');
  assert.deepEqual(
    copied.map((e) => `${e.via} ${e.digest} ${e.tag ?? ''}`).sort(),
    [
      `referrers-tag ${sig.digest} `,
      `referrers-tag ${sbom.digest} `,
      `referrers-tag ${sbomSig.digest} `,
      `cosign-tag ${cosignSig.digest} ${cosignSig.tag}`,
      `cosign-tag ${cosignAtt.digest} ${cosignAtt.tag}`,
    ].sort(),
  );

  // skopeo reads back every referrer by digest at the target, byte for byte, and the tags.
  for (const a of [sig, sbom, sbomSig]) {
    assert.equal((await skopeoInspectRaw(`${pair.target.host}/${repo}@${a.digest}`, pair.target)).raw.toString(), a.bytes.toString());
  }
  const tags = await skopeoListTags(`${pair.target.host}/${repo}`, pair.target);
  assert.deepEqual(tags.sort(), [tagOf(sbom.digest), tagOf(subject.digest), cosignAtt.tag, cosignSig.tag, 'v1'].sort());
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/${repo}:${cosignSig.tag}`, pair.target)).digest, cosignSig.digest);
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/${repo}:${cosignAtt.tag}`, pair.target)).digest, cosignAtt.digest);
  // The target's fallback index: theirs kept first, ours added once each, as the spec's OCI index.
  const index = indexOf((await skopeoInspectRaw(`${pair.target.host}/${repo}:${tagOf(subject.digest)}`, pair.target)).raw);
  assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(
    index.manifests.map((m) => [m.digest, m.artifactType]),
    [
      [theirs.digest, theirs.artifactType],
      [sig.digest, sig.artifactType],
      [sbom.digest, sbom.artifactType],
    ],
  );
  // A new tag at the target takes the source's own index: the same bytes, so the same digest.
  const sbomIndex = await skopeoInspectRaw(`${pair.target.host}/${repo}:${tagOf(sbom.digest)}`, pair.target);
  assert.equal(sbomIndex.digest, (await skopeoInspectRaw(`${pair.source.host}/${repo}:${tagOf(sbom.digest)}`, pair.source)).digest);

  // No change: nothing is written, no manifest or blob is read at the source; only listings. The
  // subject's fallback index differs at the target (it holds theirs too), so the source's is read:
  // on a registry without the API that index is the listing. The SBOM's is the same on both sides
  // (by HEAD), so it is read from the target instead.
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const second = await copy(task);
  assert.equal(second.status, 'skipped');
  assert.deepEqual(second.referrers, { copied: 0, present: 5, failed: 0 });
  const source = pair.sourceProxy.requests.filter((r) => r.path !== '/v2/');
  const sourceGets = source.filter((r) => r.method === 'GET').map((r) => r.path.replace(/\?.*/, ''));
  assert.ok(
    sourceGets.every((p) => p.endsWith('/tags/list') || p.includes('/referrers/') || p.endsWith(`/manifests/${sourceIndex.digest}`)),
    `the source was only listed: ${sourceGets.join(', ')}`,
  );
  assert.equal(pair.sourceProxy.count('GET', /\/tags\/list/), 1, 'the tags of the repository are listed once');
  assert.equal(pair.sourceProxy.count('GET', /\/manifests\//), 1, 'only the fallback index that differs at the target is read');
  assert.equal(pair.sourceProxy.count('GET', /\/blobs\//), 0);
  assert.equal(pair.targetProxy.count('PUT'), 0);
  assert.equal(pair.targetProxy.count('POST'), 0);
  assert.equal(pair.targetProxy.count('GET', /\/blobs\//), 0);
});

test('referrers: false copies the image alone and asks nothing about signatures', async () => {
  const repo = 'signed/off';
  await pushImage(ociImage, pair.source, `${repo}:v1`);
  const subject = await subjectOf(pair.source, repo, 'v1');
  const sig = await pushArtifact(pair.source, repo, subject, { artifactType: 'application/example.sig', seed: 'off' });
  await pushReferrersTag(pair.source, repo, subject.digest, [sig]);
  await pushCosignTag(pair.source, repo, subject.digest, 'sig', 'off');
  pair.sourceProxy.clearRequests();
  const result = await copy({
    source: `${pair.sourceProxy.host}/${repo}:v1`,
    target: `${pair.targetProxy.host}/${repo}:v1`,
    referrers: false,
  });
  assert.equal(result.status, 'copied');
  assert.equal(result.referrers, undefined);
  assert.equal(pair.sourceProxy.count('GET', /\/referrers\/|\/tags\/list/), 0);
  assert.deepEqual(await skopeoListTags(`${pair.target.host}/${repo}`, pair.target), ['v1']);
});

test('two images sharing a subject, copied at once into one repository, both land in its fallback index (one writer at a time)', async () => {
  // Each source repository lists a different referrer of the same image digest.
  const referrers: PushedArtifact[] = [];
  for (const name of ['a', 'b', 'c']) {
    const repo = `race/${name}`;
    await pushImage(ociImage, pair.source, `${repo}:v1`);
    const subject = await subjectOf(pair.source, repo, 'v1');
    const artifact = await pushArtifact(pair.source, repo, subject, { artifactType: `application/example.${name}`, seed: `race-${name}` });
    await pushReferrersTag(pair.source, repo, subject.digest, [artifact]);
    referrers.push(artifact);
  }
  const subject = await subjectOf(pair.source, 'race/a', 'v1');
  const engine = new CopyEngine();
  try {
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        engine.copy({ source: `${pair.sourceProxy.host}/race/${name}:v1`, target: `${pair.targetProxy.host}/race/app:${name}` }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.referrers?.copied),
      [1, 1, 1],
    );
  } finally {
    await engine.close();
  }
  const index = indexOf((await skopeoInspectRaw(`${pair.target.host}/race/app:${tagOf(subject.digest)}`, pair.target)).raw);
  assert.deepEqual(index.manifests.map((m) => m.digest).sort(), referrers.map((r) => r.digest).sort());
});

test('referrers of referrers are followed 4 levels deep, no further; an index that lists its own subject ends there', async () => {
  const repo = 'chain/app';
  await pushImage(ociImage, pair.source, `${repo}:v1`);
  const image = await subjectOf(pair.source, repo, 'v1');
  const chain: PushedArtifact[] = [];
  let subject = image;
  for (let level = 1; level <= 5; level++) {
    const artifact = await pushArtifact(pair.source, repo, subject, {
      artifactType: `application/example.level${level}`,
      seed: `chain-${level}`,
    });
    // A hostile (or careless) fallback index of the image also lists the image itself: a loop.
    await pushReferrersTag(pair.source, repo, subject.digest, [artifact], level === 1 ? [{ ...image }] : []);
    chain.push(artifact);
    subject = { mediaType: artifact.mediaType, digest: artifact.digest, size: artifact.size };
  }
  const result = await copy({ source: `${pair.sourceProxy.host}/${repo}:v1`, target: `${pair.targetProxy.host}/${repo}:v1` });
  assert.deepEqual(
    result.referrers,
    { copied: 4, present: 1, failed: 0 },
    'levels 1-4 copied; the image itself found present, not followed again',
  );
  const atTarget = async (digest: string) =>
    (
      await fetch(`${pair.target.url}/v2/${repo}/manifests/${digest}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' }, // 2.8 hides an OCI manifest not accepted
      })
    ).status;
  assert.deepEqual(await Promise.all(chain.map((a) => atTarget(a.digest))), [200, 200, 200, 200, 404]);
});
