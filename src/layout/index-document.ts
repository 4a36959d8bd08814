import { LayoutError } from '../errors/index.js';
import { checkedDigest, MediaType } from '../registry/index.js';

/** The annotation that names an image of a layout (`index.json`), as skopeo and regclient read it. */
export const REF_NAME = 'org.opencontainers.image.ref.name';

/** One entry of index.json: a descriptor, with whatever else it carries (platform, annotations) kept as is. */
export interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  [other: string]: unknown;
}

/** index.json: an OCI image index. Fields we do not use are kept and written back unchanged. */
export interface IndexDocument {
  schemaVersion: 2;
  mediaType?: string;
  manifests: IndexEntry[];
  annotations?: Record<string, string>;
  [other: string]: unknown;
}

export function emptyIndex(): IndexDocument {
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
}

function entryOf(value: unknown, where: string): IndexEntry {
  const entry = value as Partial<IndexEntry> | null;
  if (!entry || typeof entry !== 'object' || typeof entry.mediaType !== 'string') {
    throw new LayoutError('LAYOUT_INVALID', where, `${where} is not a descriptor (no mediaType)`);
  }
  checkedDigest(entry.digest, where);
  if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size < 0) {
    throw new LayoutError('LAYOUT_INVALID', where, `${where}: size is not a non-negative integer`);
  }
  const annotations = entry.annotations;
  if (annotations !== undefined && (typeof annotations !== 'object' || Array.isArray(annotations))) {
    throw new LayoutError('LAYOUT_INVALID', where, `${where}: annotations is not an object`);
  }
  return entry as IndexEntry;
}

/** index.json's bytes as a document, or LAYOUT_INVALID naming the file and what is wrong. */
export function parseIndex(bytes: Buffer, file: string): IndexDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new LayoutError('LAYOUT_INVALID', file, `${file} is not JSON: ${(error as Error).message}`);
  }
  const index = doc as Partial<IndexDocument> | null;
  if (!index || typeof index !== 'object' || Array.isArray(index))
    throw new LayoutError('LAYOUT_INVALID', file, `${file} is not a JSON object`);
  if (index.schemaVersion !== 2) throw new LayoutError('LAYOUT_INVALID', file, `${file}: schemaVersion is not 2`);
  if (!Array.isArray(index.manifests)) throw new LayoutError('LAYOUT_INVALID', file, `${file} has no "manifests" list`);
  index.manifests = index.manifests.map((m, i) => entryOf(m, `${file}: manifests[${i}]`));
  return index as IndexDocument;
}

/** The name an entry carries, if any. */
export function refNameOf(entry: IndexEntry): string | undefined {
  const name = entry.annotations?.[REF_NAME];
  return typeof name === 'string' ? name : undefined;
}

export function serialiseIndex(doc: IndexDocument): Buffer {
  return Buffer.from(`${JSON.stringify(doc)}\n`);
}
