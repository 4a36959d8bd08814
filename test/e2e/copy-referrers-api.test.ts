import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent, type CopyTask } from '../../src/copy/index.js';
import { pushArtifact, pushImage, skopeoInspectRaw, skopeoListTags, subjectOf, type Subject } from '../harness/index.js';
import { ociIndex } from './fixtures.js';
import { useReferrersApiSides } from './referrers-api-kit.js';

/*
 * The referrers API path. No real registry here offers it (distribution 2.8 has none), so each
 * real registry sits behind the harness's referrers front (test/harness/referrers-front.ts, checked
 * against the spec's rules in its own test), itself behind a fault proxy that records requests.
 */

const { source, target } = useReferrersApiSides();

async function copy(task: CopyTask, events: CopyEvent[] = []) {
  const engine = new CopyEngine();
  try {
    return await engine.copy(task, { onEvent: (e) => events.push(e) });
  } finally {
    await engine.close();
  }
}

const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const SBOM = 'application/spdx+json';

/** A signed multi-platform image: the index signed and given an SBOM, every child signed, the SBOM signed too. */
async function signedIndex(repo: string) {
  await pushImage(ociIndex, source.front, `${repo}:v1`);
  const index = await subjectOf(source.front, repo, 'v1');
  const children = (
    JSON.parse(
      Buffer.from(
        await (
          await fetch(`${source.front.url}/v2/${repo}/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } })
        ).arrayBuffer(),
      ).toString(),
    ) as { manifests: Array<Subject & { platform: { architecture: string } }> }
  ).manifests;
  const indexSig = await pushArtifact(source.front, repo, index, { artifactType: SIG, seed: `${repo}-index-sig` });
  const sbom = await pushArtifact(source.front, repo, index, { artifactType: SBOM, seed: `${repo}-sbom` });
  const sbomSig = await pushArtifact(source.front, repo, sbom, { artifactType: SIG, seed: `${repo}-sbom-sig` });
  const childSigs = [];
  for (const child of children)
    childSigs.push(await pushArtifact(source.front, repo, child, { artifactType: SIG, seed: `${repo}-${child.digest}` }));
  return { index, children, indexSig, sbom, sbomSig, childSigs };
}

test('referrers API: paged listings, pushed with their subject (OCI-Subject, no fallback tag written), index children too, recursively; a rerun only lists', async () => {
  const repo = 'api/app';
  const image = await signedIndex(repo);
  source.front.pageSize = 1; // every listing of two or more takes several pages
  const task = { source: `${source.proxy.host}/${repo}:v1`, target: `${target.proxy.host}/${repo}:v1` };
  const first = await copy(task);
  assert.equal(first.status, 'copied');
  assert.deepEqual(first.referrers, { copied: 3 + image.childSigs.length, present: 0, failed: 0 });
  assert.ok(
    source.proxy.requests.some((r) => /\/referrers\/.*page=1/.test(r.path)),
    'the second page was read',
  );

  // The target's API (the front) indexed each from its subject; the registry holds them byte for byte.
  const digests = (subject: Subject) => target.front.referrers(repo, subject.digest).map((d) => d.digest);
  assert.deepEqual(digests(image.index).sort(), [image.indexSig.digest, image.sbom.digest].sort());
  assert.deepEqual(digests(image.sbom), [image.sbomSig.digest]);
  image.children.forEach((child, i) => assert.deepEqual(digests(child), [image.childSigs[i]?.digest]));
  for (const a of [image.indexSig, image.sbom, image.sbomSig, ...image.childSigs]) {
    assert.equal(
      (await skopeoInspectRaw(`${target.registry.host}/${repo}@${a.digest}`, target.registry)).raw.toString(),
      a.bytes.toString(),
    );
  }
  assert.deepEqual(
    await skopeoListTags(`${target.registry.host}/${repo}`, target.registry),
    ['v1'],
    'no fallback tag where the API exists',
  );

  source.proxy.clearRequests();
  target.proxy.clearRequests();
  const second = await copy(task);
  assert.equal(second.status, 'skipped');
  assert.deepEqual(second.referrers, { copied: 0, present: 3 + image.childSigs.length, failed: 0 });
  const sourceGets = source.proxy.requests.filter((r) => r.method === 'GET' && r.path !== '/v2/').map((r) => r.path.replace(/\?.*/, ''));
  assert.ok(
    sourceGets.every((p) => p.endsWith('/tags/list') || p.includes('/referrers/')),
    `the source was only listed: ${sourceGets.join(', ')}`,
  );
  assert.equal(target.proxy.count('PUT'), 0);
  assert.equal(target.proxy.count('GET', /\/blobs\//), 0);
  assert.equal(source.proxy.count('GET', /\/blobs\//), 0);
});

test('a platform filter: the copied children keep their referrers; those of the source index are reported not applicable', async () => {
  const repo = 'api/filtered';
  const image = await signedIndex(repo);
  source.front.pageSize = 100;
  const events: CopyEvent[] = [];
  const result = await copy(
    { source: `${source.proxy.host}/${repo}:v1`, target: `${target.proxy.host}/${repo}:v1`, platforms: ['linux/amd64', 'linux/arm64/v8'] },
    events,
  );
  assert.notEqual(result.digest, result.sourceDigest, 'a new index');
  const kept = image.children.filter((c) => c.platform.architecture !== 'arm');
  assert.equal(kept.length, 2);
  for (const child of kept) {
    const sig = image.childSigs[image.children.indexOf(child)];
    assert.deepEqual(
      target.front.referrers(repo, child.digest).map((d) => d.digest),
      [sig?.digest],
    );
  }
  assert.deepEqual(target.front.referrers(repo, image.index.digest), [], 'nothing refers to the source index at the target');
  const notApplicable = events.filter(
    (e): e is Extract<CopyEvent, { type: 'referrers-not-applicable' }> => e.type === 'referrers-not-applicable',
  );
  assert.deepEqual(
    notApplicable.map((e) => [e.subject, e.count]),
    [[image.index.digest, 2]],
  );
});

test('an artifactType filter: the registry is asked to filter (OCI-Filters-Applied), and only that type travels', async () => {
  const repo = 'api/only-sboms';
  const image = await signedIndex(repo);
  source.proxy.clearRequests();
  const result = await copy({
    source: `${source.proxy.host}/${repo}:v1`,
    target: `${target.proxy.host}/${repo}:v1`,
    artifactTypes: { include: [SBOM] },
  });
  assert.deepEqual(result.referrers, { copied: 1, present: 0, failed: 0 });
  assert.deepEqual(
    target.front.referrers(repo, image.index.digest).map((d) => d.digest),
    [image.sbom.digest],
  );
  assert.ok(source.proxy.requests.some((r) => r.path.includes(`artifactType=${encodeURIComponent(SBOM)}`)));
});
