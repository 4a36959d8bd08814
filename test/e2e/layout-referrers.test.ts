import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyEvent, type CopyTask } from '../../src/copy/index.js';
import {
  pushArtifact,
  pushCosignTag,
  pushImage,
  pushReferrersTag,
  sha256,
  skopeo,
  skopeoInspectRaw,
  skopeoListTags,
  startRegistry,
  startedSoFar,
  subjectOf,
  type TestRegistry,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';

/*
 * Referrers through an OCI layout (the air gap): a signed image goes registry -> oci: (or
 * oci-archive:) -> another registry with its OCI 1.1 artifacts (found through the source's fallback
 * tag: distribution 2.8 has no referrers API) and its cosign tag, byte for byte. The layout keeps
 * them in index.json by the referrers tag schema: the fallback index under `repo:sha256-<hex>`, the
 * cosign tag under its own name; the artifacts are listed only through the fallback index.
 */

const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const SBOM = 'application/spdx+json';

let source: TestRegistry;
let target: TestRegistry;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  scratch = await mkdtemp(join(tmpdir(), 'pb-layout-referrers-'));
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

/** A signed image at `repo:v1`: two artifacts in its fallback tag, and a cosign `.sig` tag. */
async function signedImage(repo: string) {
  const built = await pushImage(ociImage, source, `${repo}:v1`);
  const subject = await subjectOf(source, repo, 'v1');
  const sig = await pushArtifact(source, repo, subject, { artifactType: SIG, seed: `${repo}-sig` });
  const sbom = await pushArtifact(source, repo, subject, { artifactType: SBOM, seed: `${repo}-sbom` });
  const fallback = await pushReferrersTag(source, repo, subject.digest, [sig, sbom]);
  const cosign = await pushCosignTag(source, repo, subject.digest, 'sig', repo);
  return { built, subject, sig, sbom, fallback, cosign };
}

async function copy(task: CopyTask, finish?: string) {
  const engine = new CopyEngine();
  const events: CopyEvent[] = [];
  try {
    const result = await engine.copy(task, { onEvent: (e) => events.push(e) });
    if (finish) await engine.finish(finish);
    return { result, events };
  } finally {
    await engine.close();
  }
}

/** What the target registry holds of `repo`: its tags, and each referrer's bytes as served. */
async function assertArrived(repo: string, image: Awaited<ReturnType<typeof signedImage>>): Promise<void> {
  assert.deepEqual((await skopeoListTags(`${target.host}/${repo}`, target)).sort(), [image.fallback.tag, image.cosign.tag, 'v1'].sort());
  const at = (ref: string) => skopeoInspectRaw(`${target.host}/${repo}${ref}`, target);
  assert.equal((await at(':v1')).digest, image.built.digest);
  assert.equal((await at(`:${image.fallback.tag}`)).digest, image.fallback.digest, 'the fallback index byte for byte');
  assert.equal((await at(`:${image.cosign.tag}`)).digest, image.cosign.digest, 'the cosign tag byte for byte');
  for (const artifact of [image.sig, image.sbom]) assert.equal((await at(`@${artifact.digest}`)).raw.toString(), artifact.bytes.toString());
}

interface IndexJson {
  manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
}

test('registry -> oci: layout -> registry: the artifacts and the cosign tag travel byte for byte; a second export writes nothing; skopeo reads the layout', async () => {
  const repo = 'signed/app';
  const image = await signedImage(repo);
  const layout = join(scratch, 'dir');
  const into = { source: `${source.host}/${repo}:v1`, target: `oci:${layout}:${repo}:v1` };

  const engine = new CopyEngine();
  const planned = await engine.plan(into).finally(() => engine.close());
  assert.deepEqual(planned.referrers, { [SIG]: 1, [SBOM]: 1, 'cosign .sig': 1 }, 'a dry run into a layout counts them');

  const out = await copy(into, `oci:${layout}`);
  assert.equal(out.result.status, 'copied');
  assert.deepEqual(out.result.referrers, { copied: 3, present: 0, failed: 0 });
  assert.ok(!out.events.some((e) => e.type === 'referrers-not-applicable'));
  const indexFile = join(layout, 'index.json');
  const index = JSON.parse(await readFile(indexFile, 'utf8')) as IndexJson;
  assert.deepEqual(
    index.manifests.map((m) => `${m.annotations?.['org.opencontainers.image.ref.name']} ${m.digest}`).sort(),
    [
      `${repo}:v1 ${image.built.digest}`,
      `${repo}:${image.fallback.tag} ${image.fallback.digest}`,
      `${repo}:${image.cosign.tag} ${image.cosign.digest}`,
    ].sort(),
    'the image, its fallback index and its cosign tag are named; the artifacts are listed through the fallback index only',
  );
  const blobs = await readdir(join(layout, 'blobs', 'sha256'));
  for (const artifact of [image.sig, image.sbom]) assert.ok(blobs.includes(artifact.digest.slice('sha256:'.length)));

  // skopeo reads the layout as before: the image, and the cosign tag, by their names.
  const inspected = (await skopeo(['inspect', '--raw', `oci:${layout}:${repo}:v1`])).stdout;
  assert.equal(sha256(inspected), image.built.digest);
  assert.equal(sha256((await skopeo(['inspect', '--raw', `oci:${layout}:${repo}:${image.cosign.tag}`])).stdout), image.cosign.digest);
  await skopeo(['inspect', `oci:${layout}:${repo}:v1`]);

  // No change: up to date, every referrer present, index.json not rewritten, no blob added.
  const before = await stat(indexFile);
  const again = await copy(into, `oci:${layout}`);
  assert.equal(again.result.status, 'skipped');
  assert.deepEqual(again.result.referrers, { copied: 0, present: 3, failed: 0 });
  const afterwards = await stat(indexFile);
  assert.deepEqual([afterwards.ino, afterwards.mtimeMs], [before.ino, before.mtimeMs], 'index.json was not written again');
  assert.deepEqual((await readdir(join(layout, 'blobs', 'sha256'))).sort(), blobs.sort());

  // Across the gap: the layout to a second registry.
  const back = await copy({ source: `oci:${layout}:${repo}:v1`, target: `${target.host}/${repo}:v1` });
  assert.equal(back.result.status, 'copied');
  assert.deepEqual(back.result.referrers, { copied: 3, present: 0, failed: 0 });
  await assertArrived(repo, image);
});

test('out of a layout, the artifact-type filter and cosignTags: false count as registry to registry', async () => {
  const repo = 'filtered/app';
  await signedImage(repo);
  const layout = join(scratch, 'filtered');
  await copy({ source: `${source.host}/${repo}:v1`, target: `oci:${layout}:${repo}:v1` }, `oci:${layout}`);
  const filters = { artifactTypes: { include: [SIG] }, cosignTags: false };
  const fromLayout = await copy({ source: `oci:${layout}:${repo}:v1`, target: `${target.host}/from-layout/app:v1`, ...filters });
  const fromRegistry = await copy({ source: `${source.host}/${repo}:v1`, target: `${target.host}/from-registry/app:v1`, ...filters });
  assert.deepEqual(fromLayout.result.referrers, { copied: 1, present: 0, failed: 0 });
  assert.deepEqual(fromLayout.result.referrers, fromRegistry.result.referrers);
  const tags = async (r: string) => (await skopeoListTags(`${target.host}/${r}`, target)).sort();
  assert.deepEqual(await tags('from-layout/app'), await tags('from-registry/app'));
  const fallback = async (r: string) =>
    (await skopeoInspectRaw(`${target.host}/${r}:${(await tags(r)).find((t) => t.startsWith('sha256-')) ?? ''}`, target)).raw.toString();
  assert.equal(await fallback('from-layout/app'), await fallback('from-registry/app'), 'the same filtered fallback index on both');
  assert.equal((JSON.parse(await fallback('from-layout/app')) as IndexJson).manifests.length, 1);
});

test('registry -> oci-archive: -> registry: the referrers arrive byte for byte; skopeo reads the archive; a second export leaves it as it was', async () => {
  const repo = 'archived/app';
  const image = await signedImage(repo);
  const archive = join(scratch, 'bundle.tar');
  const into = { source: `${source.host}/${repo}:v1`, target: `oci-archive:${archive}:${repo}:v1` };
  const out = await copy(into, `oci-archive:${archive}`);
  assert.deepEqual(out.result.referrers, { copied: 3, present: 0, failed: 0 });
  assert.equal(sha256((await skopeo(['inspect', '--raw', `oci-archive:${archive}:${repo}:v1`])).stdout), image.built.digest);

  const bytes = await readFile(archive);
  const again = await copy(into, `oci-archive:${archive}`);
  assert.equal(again.result.status, 'skipped');
  assert.deepEqual(again.result.referrers, { copied: 0, present: 3, failed: 0 });
  assert.ok((await readFile(archive)).equals(bytes), 'the archive keeps its bytes');

  const back = await copy({ source: `oci-archive:${archive}:${repo}:v1`, target: `${target.host}/${repo}:v1` });
  assert.equal(back.result.status, 'copied');
  assert.deepEqual(back.result.referrers, { copied: 3, present: 0, failed: 0 });
  await assertArrived(repo, image);
});

test('a delta bundle --since a bundle that holds the signed image: up to date, its referrers present, no warning; a new signature travels in the delta', async () => {
  const repo = 'delta/app';
  const image = await signedImage(repo);
  const base = join(scratch, 'base');
  await copy({ source: `${source.host}/${repo}:v1`, target: `oci:${base}:${repo}:v1` }, `oci:${base}`);
  const delta = join(scratch, 'delta');
  const task = { source: `${source.host}/${repo}:v1`, target: `oci:${delta}:${repo}:v1`, since: base };
  const unchanged = await copy(task, `oci:${delta}`);
  assert.equal(unchanged.result.status, 'skipped');
  assert.deepEqual(unchanged.result.referrers, { copied: 0, present: 3, failed: 0 });
  assert.deepEqual(
    unchanged.events.filter((e) => e.type === 'referrers-not-listed' || e.type === 'referrer-failed'),
    [],
  );

  // A new signature since the base: the delta carries it, and a fallback index naming all three.
  const att = await pushArtifact(source, repo, image.subject, { artifactType: SBOM, seed: `${repo}-new` });
  await pushReferrersTag(source, repo, image.subject.digest, [image.sig, image.sbom, att]);
  const changed = await copy({ ...task, target: `oci:${join(scratch, 'delta2')}:${repo}:v1` }, `oci:${join(scratch, 'delta2')}`);
  assert.deepEqual(changed.result.referrers, { copied: 1, present: 3, failed: 0 });

  // The delta names the new fallback index (all three artifacts) and holds only the new artifact's content.
  const deltaIndex = JSON.parse(await readFile(join(scratch, 'delta2', 'index.json'), 'utf8')) as IndexJson;
  const named = deltaIndex.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === `${repo}:${image.fallback.tag}`);
  assert.ok(named, 'the delta names the fallback tag');
  const fallbackBytes = await readFile(join(scratch, 'delta2', 'blobs', 'sha256', named.digest.slice('sha256:'.length)));
  const listed = (JSON.parse(fallbackBytes.toString()) as IndexJson).manifests.map((m) => m.digest).sort();
  assert.deepEqual(listed, [image.sig.digest, image.sbom.digest, att.digest].sort());
  const held = await readdir(join(scratch, 'delta2', 'blobs', 'sha256'));
  assert.ok(held.includes(att.digest.slice('sha256:'.length)));
  assert.ok(!held.includes(image.sig.digest.slice('sha256:'.length)), 'what the base held is not carried again');
});
