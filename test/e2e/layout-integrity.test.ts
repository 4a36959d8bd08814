import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { ContentError, LayoutError } from '../../src/errors/index.js';
import { pushImage, sha256, skopeo, skopeoInspectRaw, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';

let source: TestRegistry;
let target: TestRegistry;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  scratch = await mkdtemp(join(tmpdir(), 'pb-layout-integrity-'));
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

const blobFile = (layout: string, digest: string) => join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));

/** The largest blob: a layer, not the config. */
function biggest<T extends { size: number }>(blobs: T[]): T {
  const [first] = [...blobs].sort((a, b) => b.size - a.size);
  assert.ok(first);
  return first;
}

async function exportTo(layout: string, repo: string): Promise<void> {
  const engine = new CopyEngine();
  try {
    await engine.copy({ source: `${source.host}/${repo}:v1`, target: `oci:${layout}:${repo}:v1` });
  } finally {
    await engine.close();
  }
}

test('a second export of the same image writes nothing; a new image over the same base writes only its new blobs', async (t) => {
  const built = await pushImage(ociIndex, source, 'inc/app:v1');
  const other = await pushImage(ociImage, source, 'inc/other:v1');
  const layout = join(scratch, 'incremental');
  const engine = new CopyEngine();
  t.after(() => engine.close());
  const first = await engine.copy({ source: `${source.host}/inc/app:v1`, target: `oci:${layout}:inc/app:v1` });
  assert.equal(first.status, 'copied');
  const shared = built.blobs.filter((b) => other.blobs.some((o) => o.digest === b.digest));
  assert.equal(shared.length, 1, 'the two images share one layer (the base)');
  const [base] = shared;
  assert.ok(base);
  const before = await stat(blobFile(layout, base.digest));

  const again = await engine.copy({ source: `${source.host}/inc/app:v1`, target: `oci:${layout}:inc/app:v1` });
  assert.equal(again.status, 'skipped', 'the layout already lists that digest under that name');
  assert.equal(again.bytes, 0);

  const next = await engine.copy({ source: `${source.host}/inc/other:v1`, target: `oci:${layout}:inc/other:v1` });
  assert.equal(next.status, 'copied');
  assert.equal(next.blobsSkipped, 1, 'the base layer is found in the layout');
  assert.equal(next.blobsCopied, other.blobs.length - 1);
  const afterwards = await stat(blobFile(layout, base.digest));
  assert.equal(afterwards.ino, before.ino, 'the base layer file was not written again');
  assert.equal(afterwards.mtimeMs, before.mtimeMs);
  await engine.finish(`oci:${layout}`);
  for (const [name, digest] of [
    ['inc/app:v1', built.digest],
    ['inc/other:v1', other.digest],
  ] as const) {
    assert.equal(sha256((await skopeo(['inspect', '--raw', `oci:${layout}:${name}`])).stdout), digest, `skopeo reads ${name}`);
  }
});

test('a flipped byte in a layout blob fails the import naming the file, and the image is not tagged at the target', async (t) => {
  const built = await pushImage(ociImage, source, 'bad/app:v1');
  const layout = join(scratch, 'flipped');
  await exportTo(layout, 'bad/app');
  const layer = biggest(built.blobs);
  const file = blobFile(layout, layer.digest);
  const handle = await open(file, 'r+');
  try {
    const one = Buffer.alloc(1);
    await handle.read(one, 0, 1, 1000);
    one[0] = (one[0] ?? 0) ^ 0xff;
    await handle.write(one, 0, 1, 1000);
  } finally {
    await handle.close();
  }
  const engine = new CopyEngine();
  t.after(() => engine.close());
  await assert.rejects(
    engine.copy({ source: `oci:${layout}:bad/app:v1`, target: `${target.host}/bad/app:v1` }),
    (error: unknown) => error instanceof ContentError && error.code === 'DIGEST_MISMATCH' && error.message.includes(file),
  );
  await assert.rejects(skopeoInspectRaw(`${target.host}/bad/app:v1`, target), /manifest unknown|not found/i, 'no tag at the target');
});

test('a blob missing from a layout fails the import naming the file, and the image is not tagged at the target', async (t) => {
  const built = await pushImage(ociImage, source, 'gone/app:v1');
  const layout = join(scratch, 'missing');
  await exportTo(layout, 'gone/app');
  const layer = biggest(built.blobs);
  await unlink(blobFile(layout, layer.digest));
  const engine = new CopyEngine();
  t.after(() => engine.close());
  await assert.rejects(
    engine.copy({ source: `oci:${layout}:gone/app:v1`, target: `${target.host}/gone/app:v1` }),
    (error: unknown) =>
      error instanceof LayoutError && error.code === 'BLOB_MISSING' && error.message.includes(blobFile(layout, layer.digest)),
  );
  await assert.rejects(skopeoInspectRaw(`${target.host}/gone/app:v1`, target), /manifest unknown|not found/i, 'no tag at the target');
});

test('an image name a layout does not hold, and a directory that is not a layout, are clear errors', async (t) => {
  await pushImage(ociImage, source, 'named/app:v1');
  const layout = join(scratch, 'named');
  await exportTo(layout, 'named/app');
  const engine = new CopyEngine();
  t.after(() => engine.close());
  await assert.rejects(engine.copy({ source: `oci:${layout}:named/app:v2`, target: `${target.host}/named/app:v2` }), /v2/);
  const empty = await mkdtemp(join(scratch, 'not-a-layout-'));
  await assert.rejects(
    engine.copy({ source: `oci:${empty}:named/app:v1`, target: `${target.host}/named/app:v1` }),
    (error: unknown) =>
      error instanceof LayoutError && error.code === 'LAYOUT_INVALID' && error.message.includes(join(empty, 'index.json')),
  );
  assert.equal(JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')).manifests.length, 1, 'the failed reads wrote nothing');
});
