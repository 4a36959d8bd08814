import { LayoutError } from '../errors/index.js';
import { isDigest } from '../reference/index.js';
import { refNameOf, type IndexDocument } from './index-document.js';

/** The inventory's own media type, so a file can be told from any other JSON. */
export const INVENTORY_MEDIA_TYPE = 'application/vnd.picture-book.bundle-inventory.v1+json';
/** Its name inside a bundle (next to index.json); beside the bundle it is `<bundle>.inventory.json`. */
export const INVENTORY_FILE = 'picture-book-inventory.json';

/**
 * What a bundle and every bundle before it (`--since`, transitively) hold: the images by name and
 * every blob (manifests too) with the bundle that carried it. The next delta bundle is made against
 * it, and an import that misses a blob names the bundle it was expected from.
 */
export interface Inventory {
  /** The bundle described (the layout's file or directory name). */
  bundle: string;
  /** The bundle it was made against, when it is a delta. */
  since: string | undefined;
  /** Image name (index.json's ref name) -> manifest digest, over the bundle and its predecessors. */
  images: Map<string, string>;
  /**
   * Blob digest -> its size, the bundle that carried it, and the repositories whose images use it.
   * A registry keeps blobs per repository: a delta leaves a blob out only for a repository that
   * had it before (importing the base put it there), and carries it again for any other.
   * `repositories` absent (a hand-made inventory): present for every repository.
   */
  blobs: Map<string, InventoryBlob>;
}

export interface InventoryBlob {
  size: number;
  bundle: string;
  repositories?: string[];
  /** For a manifest index.json names: its media type, so a delta can name the image again (see subject-names.ts). */
  mediaType?: string;
}

/** Whether the inventory holds `digest` for images of `repository` (undefined: for any). */
export function holds(inventory: Inventory | undefined, digest: string, repository?: string): InventoryBlob | undefined {
  const blob = inventory?.blobs.get(digest);
  if (!blob || repository === undefined || !blob.repositories) return blob;
  return blob.repositories.includes(repository) ? blob : undefined;
}

/**
 * The inventory of a bundle: its predecessors' (`base`), then what it holds itself. `owners`: the
 * repositories whose listed images use each blob (manifests included).
 */
export function inventoryOf(
  bundle: string,
  index: IndexDocument,
  blobs: ReadonlyMap<string, number>,
  owners: ReadonlyMap<string, ReadonlySet<string>>,
  base?: Inventory,
): Inventory {
  const inventory: Inventory = {
    bundle,
    since: base?.bundle,
    images: new Map(base?.images),
    blobs: new Map([...(base?.blobs ?? [])].map(([digest, blob]) => [digest, { ...blob }])),
  };
  for (const entry of index.manifests) {
    const name = refNameOf(entry);
    if (name !== undefined) inventory.images.set(name, entry.digest);
  }
  for (const [digest, size] of blobs) if (!inventory.blobs.has(digest)) inventory.blobs.set(digest, { size, bundle });
  for (const entry of index.manifests) {
    const blob = inventory.blobs.get(entry.digest);
    if (blob) blob.mediaType ??= entry.mediaType;
  }
  for (const [digest, repositories] of owners) {
    const blob = inventory.blobs.get(digest);
    if (blob?.repositories) blob.repositories = [...new Set([...blob.repositories, ...repositories])].sort();
    else if (blob?.bundle === bundle) blob.repositories = [...repositories].sort();
  }
  return inventory;
}

export function serialiseInventory(inventory: Inventory): Buffer {
  const doc = {
    mediaType: INVENTORY_MEDIA_TYPE,
    bundle: inventory.bundle,
    ...(inventory.since !== undefined ? { since: inventory.since } : {}),
    images: Object.fromEntries(inventory.images),
    blobs: Object.fromEntries(
      [...inventory.blobs].map(([digest, { size, bundle, repositories, mediaType }]) => [
        digest,
        { size, bundle, ...(repositories ? { repositories } : {}), ...(mediaType !== undefined ? { mediaType } : {}) },
      ]),
    ),
  };
  return Buffer.from(`${JSON.stringify(doc, null, 1)}\n`);
}

/** An inventory file's bytes, or LAYOUT_INVALID naming `file` and what is wrong with it. */
export function parseInventory(bytes: Buffer, file: string): Inventory {
  const bad = (why: string) => new LayoutError('LAYOUT_INVALID', file, `${file} is not a picture-book bundle inventory: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw bad('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('not a JSON object');
  const doc = parsed as Record<string, unknown>;
  if (doc.mediaType !== INVENTORY_MEDIA_TYPE) throw bad(`mediaType is not ${INVENTORY_MEDIA_TYPE}`);
  if (typeof doc.bundle !== 'string') throw bad('no "bundle" name');
  const images = new Map<string, string>();
  for (const [name, digest] of Object.entries((doc.images ?? {}) as Record<string, unknown>)) {
    if (typeof digest !== 'string' || !isDigest(digest)) throw bad(`images["${name}"] is not a digest`);
    images.set(name, digest);
  }
  const blobs = new Map<string, InventoryBlob>();
  for (const [digest, value] of Object.entries((doc.blobs ?? {}) as Record<string, unknown>)) {
    const { size, bundle, repositories, mediaType } = (value ?? {}) as Record<string, unknown>;
    if (!isDigest(digest) || typeof size !== 'number' || typeof bundle !== 'string') throw bad(`blobs["${digest}"] is not {size, bundle}`);
    const names = Array.isArray(repositories) && repositories.every((r): r is string => typeof r === 'string') ? repositories : undefined;
    if (repositories !== undefined && !names) throw bad(`blobs["${digest}"].repositories is not a list of names`);
    if (mediaType !== undefined && typeof mediaType !== 'string') throw bad(`blobs["${digest}"].mediaType is not a string`);
    blobs.set(digest, { size, bundle, ...(names ? { repositories: names } : {}), ...(mediaType !== undefined ? { mediaType } : {}) });
  }
  return { bundle: doc.bundle, since: typeof doc.since === 'string' ? doc.since : undefined, images, blobs };
}
