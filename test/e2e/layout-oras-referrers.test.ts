import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyTask } from '../../src/copy/index.js';
import { sha256, skopeo, skopeoInspectRaw, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';

/*
 * A layout as oras writes it (`oras attach --oci-layout`, oras-go's OCI store): the image named by
 * a bare tag, each referrer a bare index.json entry (no name) whose manifest carries `subject`, and
 * no fallback index. Written by hand here, byte by byte, as oras would; read by picture-book into
 * the real registry with its referrers (found by subject digest), and written to as oras would.
 */

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = Buffer.from('{}');
const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const SBOM = 'application/spdx+json';
const REF_NAME = 'org.opencontainers.image.ref.name';

let target: TestRegistry;
let scratch: string;

before(async () => {
  target = await startRegistry();
  scratch = await mkdtemp(join(tmpdir(), 'pb-layout-oras-'));
});

after(async () => {
  await startedSoFar({ target }).target?.stop();
  await rm(scratch, { recursive: true, force: true });
});

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** A layout directory written by hand: blobs, then index.json with `entries`. */
class HandLayout {
  readonly entries: Array<Descriptor & Record<string, unknown>> = [];
  constructor(readonly dir: string) {}

  async blob(bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const digest = digestOf(bytes);
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  async save(): Promise<void> {
    await writeFile(join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: this.entries }));
  }

  /** A one-layer image, named `tag` as oras names it (a bare tag). */
  async image(tag: string, seed: string): Promise<Descriptor> {
    const layer = await this.blob(Buffer.from(`layer of ${seed}`), 'application/vnd.oci.image.layer.v1.tar');
    const config = await this.blob(
      Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
      'application/vnd.oci.image.config.v1+json',
    );
    const manifest = await this.blob(
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] })),
      OCI_MANIFEST,
    );
    this.entries.push({ ...manifest, annotations: { [REF_NAME]: tag } });
    return manifest;
  }

  /** An artifact about `subject`, as `oras attach` writes it: listed bare, with its artifactType. */
  async attach(subject: Descriptor, artifactType: string, seed: string): Promise<Descriptor & { bytes: Buffer }> {
    const config = await this.blob(EMPTY, 'application/vnd.oci.empty.v1+json');
    const layer = await this.blob(Buffer.from(`${artifactType} ${seed}`), 'application/octet-stream');
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType,
        config,
        layers: [layer],
        subject,
        annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
      }),
    );
    const manifest = await this.blob(bytes, OCI_MANIFEST);
    this.entries.push({ ...manifest, artifactType });
    return { ...manifest, bytes };
  }
}

async function copy(task: CopyTask) {
  const engine = new CopyEngine();
  try {
    return await engine.copy(task);
  } finally {
    await engine.close();
  }
}

/** The digests the target's fallback tag of `subject` lists. */
async function listedAtTarget(repo: string, subject: string): Promise<string[]> {
  const index = await skopeoInspectRaw(`${target.host}/${repo}:${subject.replace(':', '-')}`, target);
  return (JSON.parse(index.raw.toString()) as { manifests: Descriptor[] }).manifests.map((m) => m.digest).sort();
}

test('an oras-style layout (referrers as bare index.json entries with a subject) is read with its referrers into the registry, byte for byte', async () => {
  const layout = new HandLayout(join(scratch, 'oras'));
  const app = await layout.image('v1', 'app');
  const other = await layout.image('v2', 'other');
  const sig = await layout.attach(app, SIG, 'sig');
  const sbom = await layout.attach(app, SBOM, 'sbom');
  const sbomSig = await layout.attach(sbom, SIG, 'sbom-sig');
  await layout.attach(other, SIG, 'other-sig');
  await layout.save();
  assert.equal(
    sha256((await skopeo(['inspect', '--raw', `oci:${layout.dir}:v1`])).stdout),
    app.digest,
    'skopeo reads the hand-made layout',
  );

  const repo = 'oras/app';
  const result = await copy({ source: `oci:${layout.dir}:v1`, target: `${target.host}/${repo}:v1` });
  assert.equal(result.status, 'copied');
  assert.deepEqual(
    result.referrers,
    { copied: 3, present: 0, failed: 0 },
    'the two of the image, and the one of its SBOM; not the other image’s',
  );
  assert.equal((await skopeoInspectRaw(`${target.host}/${repo}:v1`, target)).digest, app.digest);
  assert.deepEqual(await listedAtTarget(repo, app.digest), [sig.digest, sbom.digest].sort());
  assert.deepEqual(await listedAtTarget(repo, sbom.digest), [sbomSig.digest]);
  for (const artifact of [sig, sbom, sbomSig])
    assert.equal((await skopeoInspectRaw(`${target.host}/${repo}@${artifact.digest}`, target)).raw.toString(), artifact.bytes.toString());

  // A second run: every referrer present, nothing written.
  const again = await copy({ source: `oci:${layout.dir}:v1`, target: `${target.host}/${repo}:v1` });
  assert.equal(again.status, 'skipped');
  assert.deepEqual(again.referrers, { copied: 0, present: 3, failed: 0 });
});

test('into an oras-style layout, a new referrer of a subject it keeps bare is listed bare too, and read back with the others', async () => {
  const full = new HandLayout(join(scratch, 'full'));
  const app = await full.image('v1', 'app');
  const sig = await full.attach(app, SIG, 'sig');
  const sbom = await full.attach(app, SBOM, 'sbom');
  await full.save();
  // The same image and signature, without the SBOM: the SBOM is new to it.
  const partial = new HandLayout(join(scratch, 'partial'));
  await partial.image('v1', 'app');
  await partial.attach(app, SIG, 'sig');
  await partial.save();

  const into = await copy({ source: `oci:${full.dir}:v1`, target: `oci:${partial.dir}:v1` });
  assert.equal(into.status, 'skipped');
  assert.deepEqual(into.referrers, { copied: 1, present: 1, failed: 0 });
  const index = JSON.parse(await readFile(join(partial.dir, 'index.json'), 'utf8')) as {
    manifests: Array<Descriptor & { annotations?: object }>;
  };
  assert.deepEqual(
    index.manifests.filter((m) => !m.annotations).map((m) => m.digest),
    [sig.digest, sbom.digest],
    'the SBOM is a bare entry, as oras keeps it; no fallback index is named',
  );
  assert.equal(index.manifests.length, 3);

  const repo = 'oras/partial';
  const out = await copy({ source: `oci:${partial.dir}:v1`, target: `${target.host}/${repo}:v1` });
  assert.deepEqual(out.referrers, { copied: 2, present: 0, failed: 0 });
  assert.deepEqual(await listedAtTarget(repo, app.digest), [sig.digest, sbom.digest].sort());
});
