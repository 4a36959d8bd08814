import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { pushImage, sha256, skopeo, skopeoInspectRaw, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { dockerImage, dockerList, ociImage, ociIndex } from './fixtures.js';

let source: TestRegistry;
let target: TestRegistry;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  scratch = await mkdtemp(join(tmpdir(), 'pb-layout-'));
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

// skopeo 1.9.3's oci: transport does not see Docker-typed entries of index.json ("no descriptor
// found"), so it reads back only the OCI layouts; every layout's blob files are hashed here instead.
const cases = [
  ['OCI image manifest', 'oci-image', ociImage, true],
  ['Docker schema2 manifest', 'docker-image', dockerImage, false],
  ['OCI index', 'oci-index', ociIndex, true],
  ['Docker manifest list', 'docker-list', dockerList, false],
] as const;

/** Every blob file of a layout holds the bytes its name says (hashed here, not by picture-book). */
async function assertBlobFilesMatchNames(layout: string): Promise<number> {
  const dir = join(layout, 'blobs', 'sha256');
  const names = await readdir(dir);
  for (const name of names) assert.equal(sha256(await readFile(join(dir, name))), `sha256:${name}`, `${name} holds its digest's bytes`);
  return names.length;
}

for (const [title, repo, spec, skopeoReads] of cases) {
  test(`an ${title} goes registry -> oci: layout -> registry with identical digests, read back by skopeo`, async (t) => {
    const built = await pushImage(spec, source, `trip/${repo}:v1`);
    const layout = join(scratch, `dir-${repo}`);
    const engine = new CopyEngine();
    t.after(() => engine.close());
    const out = await engine.copy({ source: `${source.host}/trip/${repo}:v1`, target: `oci:${layout}:trip/${repo}:v1` });
    assert.equal(out.status, 'copied');
    assert.equal(out.digest, built.digest);
    await engine.finish(`oci:${layout}`);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
    };
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, m.annotations?.['org.opencontainers.image.ref.name']]),
      [[built.digest, `trip/${repo}:v1`]],
      'index.json lists the image once, under its name',
    );
    const blobFiles = await assertBlobFilesMatchNames(layout);
    assert.equal(
      blobFiles,
      new Set([built.digest, ...built.blobs.map((b) => b.digest), ...(built.children ?? []).map((c) => c.digest)]).size,
    );
    if (skopeoReads) {
      const { stdout } = await skopeo(['inspect', '--raw', `oci:${layout}:trip/${repo}:v1`]);
      assert.equal(sha256(stdout), built.digest, 'skopeo reads the same manifest bytes from the layout');
      // skopeo verifies every blob while copying the layout out.
      await skopeo([
        'copy',
        '--quiet',
        '--all',
        '--preserve-digests',
        ...target.skopeoFlags('dest'),
        `oci:${layout}:trip/${repo}:v1`,
        `docker://${target.host}/by-skopeo/${repo}:v1`,
      ]);
      assert.equal((await skopeoInspectRaw(`${target.host}/by-skopeo/${repo}:v1`, target)).digest, built.digest);
    }

    const back = await engine.copy({ source: `oci:${layout}:trip/${repo}:v1`, target: `${target.host}/back/${repo}:v1` });
    assert.equal(back.status, 'copied');
    assert.equal(back.digest, built.digest);
    const served = await skopeoInspectRaw(`${target.host}/back/${repo}:v1`, target);
    assert.equal(served.digest, built.digest, 'the target serves the manifest digest of the source');
    for (const child of built.children ?? []) {
      assert.equal((await skopeoInspectRaw(`${target.host}/back/${repo}@${child.digest}`, target)).digest, child.digest);
    }
  });
}
