import { buildLayer, type LayerSpec } from './layer.js';
import { fixtureJson, type Descriptor, type LayoutSink } from './layout-writer.js';
import { MEDIA_TYPES, type ImageFormat } from './media-types.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageSpec {
  kind: 'image';
  format: ImageFormat;
  layers: LayerSpec[];
  platform?: Platform;
  label?: string;
}

export interface IndexSpec {
  kind: 'index';
  format: ImageFormat;
  images: ImageSpec[];
}

/** What the layout holds for one manifest; `ref` is its skopeo reference, with `{dir}` for the layout dir. */
export interface ManifestRecord {
  digest: string;
  mediaType: string;
  size: number;
  ref: string;
  blobs: Array<{ digest: string; size: number }>;
  children?: ManifestRecord[];
}

const EPOCH = '2000-01-01T00:00:00Z'; // fixed, so configs (and digests) are reproducible

function platformOf(spec: ImageSpec): Platform {
  return spec.platform ?? { os: 'linux', architecture: 'amd64' };
}

function uniqueBlobs(blobs: Array<{ digest: string; size: number }>): Array<{ digest: string; size: number }> {
  return [...new Map(blobs.map((b) => [b.digest, b])).values()];
}

export async function writeImage(spec: ImageSpec, layout: LayoutSink, name: string): Promise<ManifestRecord> {
  const types = MEDIA_TYPES[spec.format];
  const layers = [];
  for (const layerSpec of spec.layers) layers.push(await buildLayer(layerSpec)); // sequential: bounded CPU
  for (const layer of layers) await layout.addFile(layer.file, layer.digest);
  const { os, architecture, variant } = platformOf(spec);
  const config = {
    created: EPOCH,
    architecture,
    os,
    ...(variant ? { variant } : {}),
    config: {
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
      ...(spec.label ? { Labels: { 'org.picture-book.test.label': spec.label } } : {}),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: spec.layers.map((l, i) => ({ created: EPOCH, created_by: `picture-book fixture layer ${i}: ${l.seed} (${l.size} bytes)` })),
  };
  const configBlob = await layout.addBytes(fixtureJson(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, ...configBlob },
    layers: layers.map((l) => ({ mediaType: types.layer, digest: l.digest, size: l.size })),
  };
  const written = await layout.addBytes(fixtureJson(manifest));
  const layoutRef = await layout.addRef(name, { mediaType: types.manifest, ...written });
  const blobs = uniqueBlobs([configBlob, ...layers.map((l) => ({ digest: l.digest, size: l.size }))]);
  return { ...written, mediaType: types.manifest, ref: layoutRef, blobs };
}

export async function writeIndex(spec: IndexSpec, layout: LayoutSink, name: string): Promise<ManifestRecord> {
  const types = MEDIA_TYPES[spec.format];
  const children: ManifestRecord[] = [];
  const entries: Descriptor[] = [];
  for (const [i, image] of spec.images.entries()) {
    if (image.format !== spec.format) throw new Error(`index of ${spec.format} cannot hold a ${image.format} image`);
    const child = await writeImage(image, layout, `${name}-child-${i}`);
    children.push(child);
    const { os, architecture, variant } = platformOf(image);
    entries.push({
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.size,
      platform: { architecture, os, ...(variant ? { variant } : {}) },
    });
  }
  const written = await layout.addBytes(fixtureJson({ schemaVersion: 2, mediaType: types.index, manifests: entries }));
  const layoutRef = await layout.addRef(name, { mediaType: types.index, ...written });
  const blobs = uniqueBlobs(children.flatMap((c) => c.blobs));
  return { ...written, mediaType: types.index, ref: layoutRef, blobs, children };
}
