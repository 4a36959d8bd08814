import { ContentError } from '../errors/index.js';
import { checkedDigest, quoted } from './content-digest.js';
import { isForeignLayer, isImageMediaType, isIndexMediaType } from './media-types.js';
import type { Platform } from './platform.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform | undefined;
  urls?: string[] | undefined;
}

/** OCI 1.1: what a referrer says it is about (`subject`) and what kind of artifact it is. */
export interface ReferrerFields {
  subject?: Descriptor | undefined;
  artifactType?: string | undefined;
}

export type ParsedManifest =
  | ({ kind: 'index'; mediaType: string; manifests: Descriptor[] } & ReferrerFields)
  | ({ kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] } & ReferrerFields);

function platformOf(value: unknown, where: string): Platform | undefined {
  const p = value as Partial<Platform> | null | undefined;
  if (p === undefined) return undefined;
  if (!p || typeof p.os !== 'string' || typeof p.architecture !== 'string' || (p.variant !== undefined && typeof p.variant !== 'string')) {
    throw new ContentError('MANIFEST_INVALID', `${where}.platform is not a valid platform (os and architecture strings)`);
  }
  return { os: p.os, architecture: p.architecture, ...(p.variant !== undefined ? { variant: p.variant } : {}) };
}

/**
 * A descriptor whose every field a copy uses is checked here: its digest becomes a URL path and
 * its size a byte count, so a hostile manifest must not get either past us unchecked.
 */
function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (!d || typeof d.mediaType !== 'string')
    throw new ContentError('MANIFEST_INVALID', `${where} is not a valid descriptor (no mediaType)`);
  const digest = checkedDigest(d.digest, where);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new ContentError('MANIFEST_INVALID', `${where}: size ${quoted(d.size)} is not a non-negative integer`);
  }
  if (d.urls !== undefined && !(Array.isArray(d.urls) && d.urls.every((u) => typeof u === 'string'))) {
    throw new ContentError('MANIFEST_INVALID', `${where}: urls is not a list of strings`);
  }
  return { mediaType: d.mediaType, digest, size: d.size, platform: platformOf(d.platform, where), urls: d.urls };
}

/** `subject` (checked like any descriptor: its digest becomes a URL) and `artifactType`, when present. */
function referrerFields(doc: { subject?: unknown; artifactType?: unknown }): ReferrerFields {
  return {
    ...(doc.subject !== undefined ? { subject: descriptor(doc.subject, 'subject') } : {}),
    ...(typeof doc.artifactType === 'string' ? { artifactType: doc.artifactType } : {}),
  };
}

/**
 * Reads what a copy needs from manifest bytes. The media type comes from the registry's
 * `Content-Type` when the body omits it (both are allowed). The bytes themselves are never
 * re-serialised: their digest is the manifest's identity.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: {
    mediaType?: unknown;
    schemaVersion?: unknown;
    manifests?: unknown;
    config?: unknown;
    layers?: unknown;
    subject?: unknown;
    artifactType?: unknown;
  };
  try {
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch {
    throw new ContentError('MANIFEST_INVALID', 'manifest is not valid JSON');
  }
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const mediaType = declared ?? contentType?.split(';')[0]?.trim() ?? '';
  if (doc.schemaVersion === 1)
    throw new ContentError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Docker schema 1 manifests are not supported (legacy format; re-push the image with a current client)',
    );
  if (isIndexMediaType(mediaType) || (!isImageMediaType(mediaType) && Array.isArray(doc.manifests))) {
    if (!Array.isArray(doc.manifests)) throw new ContentError('MANIFEST_INVALID', 'index has no "manifests" list');
    return { kind: 'index', mediaType, manifests: doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`)), ...referrerFields(doc) };
  }
  if (isImageMediaType(mediaType) || doc.config !== undefined) {
    const layers = Array.isArray(doc.layers) ? doc.layers : [];
    return {
      kind: 'image',
      mediaType,
      config: descriptor(doc.config, 'config'),
      layers: layers.map((l, i) => descriptor(l, `layers[${i}]`)),
      ...referrerFields(doc),
    };
  }
  throw new ContentError('UNSUPPORTED_MEDIA_TYPE', `unsupported manifest media type "${mediaType || 'none'}"`);
}

/** The blobs a registry must hold before it accepts this image manifest. */
export function referencedBlobs(manifest: ParsedManifest & { kind: 'image' }): Descriptor[] {
  const all = [manifest.config, ...manifest.layers.filter((l) => !(isForeignLayer(l.mediaType) && l.urls?.length))];
  const seen = new Set<string>();
  return all.filter((d) => (seen.has(d.digest) ? false : (seen.add(d.digest), true)));
}
