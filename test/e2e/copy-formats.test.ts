import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { pushImage, skopeoCopyToLayout, skopeoInspectRaw, startRegistry, type TestRegistry, startedSoFar } from '../harness/index.js';
import { dockerImage, dockerList, largeImage, ociImage, ociIndex } from './fixtures.js';

let source: TestRegistry;
let target: TestRegistry;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  scratch = await mkdtemp(join(tmpdir(), 'pb-formats-'));
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

const cases = [
  ['OCI image manifest', 'oci-image', ociImage],
  ['Docker schema2 manifest', 'docker-image', dockerImage],
  ['OCI index', 'oci-index', ociIndex],
  ['Docker manifest list', 'docker-list', dockerList],
  ['image with a layer over 100 MB', 'large', largeImage],
] as const;

for (const [title, repo, spec] of cases) {
  test(`copies an ${title} byte for byte, verified by skopeo`, async (t) => {
    const built = await pushImage(spec, source, `formats/${repo}:v1`);
    const engine = new CopyEngine();
    t.after(() => engine.close());
    const result = await engine.copy({ source: `${source.host}/formats/${repo}:v1`, target: `${target.host}/mirror/${repo}:v1` });
    assert.equal(result.status, 'copied');
    assert.equal(result.digest, built.digest);
    assert.equal(result.sourceDigest, built.digest);
    // Each image of an index accounts for its own blobs; a layer shared by two children is
    // transferred once and counted as already present for the second.
    const perImage = (built.children ?? [built]).reduce((n, m) => n + m.blobs.length, 0);
    assert.equal(result.blobsCopied + result.blobsMounted + result.blobsSkipped, perImage);
    assert.equal(result.blobsCopied, new Set(built.blobs.map((b) => b.digest)).size, 'every unique blob streamed exactly once');
    const served = await skopeoInspectRaw(`${target.host}/mirror/${repo}:v1`, target);
    assert.equal(served.digest, built.digest, 'target serves the same manifest digest');
    for (const child of built.children ?? []) {
      const byDigest = await skopeoInspectRaw(`${target.host}/mirror/${repo}@${child.digest}`, target);
      assert.equal(byDigest.digest, child.digest, 'every child manifest is present by digest');
    }
    // skopeo verifies every blob digest while writing the layout.
    await skopeoCopyToLayout(`${target.host}/mirror/${repo}:v1`, target, join(scratch, repo));
  });
}

test('copies by digest when the source reference has no tag', async (t) => {
  const built = await pushImage(ociImage, source, 'formats/by-digest:v1');
  const engine = new CopyEngine();
  t.after(() => engine.close());
  const result = await engine.copy({
    source: `${source.host}/formats/by-digest@${built.digest}`,
    target: `${target.host}/mirror/by-digest@${built.digest}`,
  });
  assert.equal(result.digest, built.digest);
  const served = await skopeoInspectRaw(`${target.host}/mirror/by-digest@${built.digest}`, target);
  assert.equal(served.digest, built.digest);
});
