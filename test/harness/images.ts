import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cachedDir } from './fixture-cache.js';
import { writeImage, writeIndex, type ImageSpec, type IndexSpec, type ManifestRecord } from './image-writer.js';
import { DirLayoutWriter } from './dir-layout-writer.js';
import { DIR_PLACEHOLDER, hexOf, OciLayoutWriter } from './layout-writer.js';
import { serialisedPush } from './push-lock.js';
import type { TestRegistry } from './registry.js';
import { skopeo, skopeoInspectRaw } from './skopeo.js';

export type { LayerSpec } from './layer.js';
export type { ImageSpec, IndexSpec, Platform } from './image-writer.js';

export interface BuiltImage {
  digest: string;
  mediaType: string;
  manifest: Buffer;
  /** Unique blobs (config and layers); for an index, the union over its children. */
  blobs: Array<{ digest: string; size: number }>;
  children?: BuiltImage[];
  layoutDir: string;
  /** A skopeo source reference: `oci:<dir>:top` for OCI, `dir:<dir>` (children `dir:<dir>/top-child-N`) for Docker. */
  layoutRef: string;
}

const GENERATOR_VERSION = 1; // bump when manifests/configs change, to invalidate cached layouts

/** The spec with keys in a fixed order, so equal specs hash equally however they were written. */
function canonical(spec: ImageSpec | IndexSpec): unknown {
  if (spec.kind === 'index') return { kind: 'index', format: spec.format, images: spec.images.map(canonical) };
  const p = spec.platform;
  return {
    kind: 'image',
    format: spec.format,
    layers: spec.layers.map((l) => ({ seed: l.seed, size: l.size })),
    platform: p ? { os: p.os, architecture: p.architecture, variant: p.variant } : null,
    label: spec.label ?? null,
  };
}

/** Builds the image into an OCI layout cached under os.tmpdir(); same spec, same bytes, same digests. */
export async function buildImage(spec: ImageSpec | IndexSpec): Promise<BuiltImage> {
  const key = createHash('sha256')
    .update(JSON.stringify({ v: GENERATOR_VERSION, spec: canonical(spec) }))
    .digest('hex');
  const dir = await cachedDir(join('layouts', key), async (work) => {
    // OCI images go to an OCI layout; Docker ones to skopeo's dir: layout (see dir-layout-writer.ts).
    const layout = spec.format === 'oci' ? new OciLayoutWriter(work) : new DirLayoutWriter(work);
    await layout.init();
    const record = spec.kind === 'index' ? await writeIndex(spec, layout, 'top') : await writeImage(spec, layout, 'top');
    await layout.finish();
    await writeFile(join(work, 'built.json'), JSON.stringify(record));
  });
  const record = JSON.parse(await readFile(join(dir, 'built.json'), 'utf8')) as ManifestRecord;
  return fromRecord(record, dir, spec.format === 'oci' ? join(dir, 'blobs', 'sha256') : dir);
}

async function fromRecord(record: ManifestRecord, dir: string, blobDir: string): Promise<BuiltImage> {
  const manifest = await readFile(join(blobDir, hexOf(record.digest)));
  const built: BuiltImage = {
    digest: record.digest,
    mediaType: record.mediaType,
    manifest,
    blobs: record.blobs,
    layoutDir: dir,
    layoutRef: record.ref.split(DIR_PLACEHOLDER).join(dir),
  };
  if (record.children) built.children = await Promise.all(record.children.map((c) => fromRecord(c, dir, blobDir)));
  return built;
}

/** Where pushImage pushes: a TestRegistry, or any registry skopeo reaches with these flags. */
export type PushTarget = Pick<TestRegistry, 'host' | 'password' | 'skopeoFlags'>;

/**
 * Pushes with skopeo from the OCI layout. `--preserve-digests` makes skopeo refuse any conversion, and
 * `--all` pushes every child of an index; the served digest is then checked against the built one.
 * Never two at once into one repository (see push-lock.ts), however many a caller starts together.
 */
export async function pushImage(spec: ImageSpec | IndexSpec, registry: PushTarget, repoAndTag: string): Promise<BuiltImage> {
  const built = await buildImage(spec);
  const target = `${registry.host}/${repoAndTag}`;
  await serialisedPush(registry.host, repoAndTag, async () => {
    await skopeo(
      ['copy', '--quiet', '--all', '--preserve-digests', ...registry.skopeoFlags('dest'), built.layoutRef, `docker://${target}`],
      registry,
    );
    const served = await skopeoInspectRaw(target, registry);
    if (served.digest !== built.digest) throw new Error(`pushed ${built.digest} to ${target}, but it serves ${served.digest}`);
  });
  return built;
}
