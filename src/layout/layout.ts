import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { ContentError, LayoutError } from '../errors/index.js';
import { MANIFEST_SIZE_LIMIT, parseManifest, type ReferrerEntry } from '../registry/index.js';
import { bareReferrers } from './bare-referrers.js';
import { blobOwners } from './blob-owners.js';
import { DigestCheck } from './digest-check.js';
import { emptyIndex, refNameOf, type IndexDocument, type IndexEntry } from './index-document.js';
import { IndexWriter } from './index-writer.js';
import { holds, INVENTORY_FILE, inventoryOf, parseInventory, serialiseInventory, type Inventory } from './inventory.js';
import { missingBlob } from './missing-blob.js';
import type { BlobSink, LayoutStorage } from './storage.js';
import { writeAtomically } from './temp-files.js';

export interface LayoutOptions {
  /** A delta bundle: what `base` (a previous bundle's inventory) holds counts as present and is not written. */
  base?: Inventory | undefined;
}

/**
 * One OCI layout (directory or tar) as the process sees it: its index, what it holds and what counts
 * as present. Shared by every repository of the layout opened in the process (see Layouts), so
 * index.json has one writer. Names and blobs work alike in both storages.
 */
export class Layout {
  readonly place: string;
  /** The bundle's name: the directory's or file's name. */
  readonly bundle: string;
  readonly storage: LayoutStorage;
  readonly base: Inventory | undefined;
  #index: IndexWriter;
  #prepared: Promise<void> | undefined;
  /** Index digest -> its children: content-addressed, so never stale. */
  #children = new Map<string, readonly string[]>();
  #own: Promise<Inventory | undefined> | undefined;
  #listed: { doc: IndexDocument; digests: Set<string> } | undefined;
  #bare: { doc: IndexDocument; bySubject: Promise<Map<string, ReferrerEntry[]>> } | undefined;
  #described = new Map<string, { subject: string; entry: ReferrerEntry } | null>();

  constructor(storage: LayoutStorage, path: string, options: LayoutOptions = {}) {
    this.storage = storage;
    this.place = storage.place;
    this.bundle = basename(path);
    this.base = options.base;
    this.#index = new IndexWriter(storage);
  }

  async exists(): Promise<boolean> {
    return (await this.storage.exists()) || this.#index.known !== undefined;
  }

  /** The index now (empty for a layout not there yet). */
  async index(): Promise<IndexDocument> {
    return (await this.#index.current()) ?? this.#index.known ?? emptyIndex();
  }

  /** The entry named `name` (the last one, should the file list it twice). */
  async entry(name: string): Promise<IndexEntry | undefined> {
    return (await this.index()).manifests.findLast((m) => refNameOf(m) === name);
  }

  /**
   * Manifests listed in index.json, and the children of listed indexes: images complete by
   * construction (index.json lists an image only once all it references is in place). A manifest
   * blob that is merely there (a killed run wrote it) is not in this set, so its image is finished
   * again, cheaply: every blob it names is found present.
   */
  async listedManifests(): Promise<Set<string>> {
    const doc = await this.index();
    if (this.#listed?.doc === doc) return this.#listed.digests;
    const listed = new Set<string>();
    const visit = async (digest: string, mediaType: string | undefined): Promise<void> => {
      if (listed.has(digest)) return;
      listed.add(digest);
      for (const child of await this.#childrenOf(digest, mediaType)) await visit(child, undefined);
    };
    for (const entry of doc.manifests) await visit(entry.digest, entry.mediaType);
    this.#listed = { doc, digests: listed };
    return listed;
  }

  /** The referrers of `subject` that index.json lists as bare entries (oras's way; see bare-referrers.ts). */
  async bareReferrersOf(subject: string): Promise<ReferrerEntry[]> {
    const doc = await this.index();
    if (this.#bare?.doc !== doc) {
      const read = async (digest: string, size: number) =>
        (await this.storage.blobSize(digest)) === size ? this.readWhole(digest, size, size) : undefined;
      this.#bare = { doc, bySubject: bareReferrers(doc, read, this.#described) };
    }
    return (await this.#bare.bySubject).get(subject) ?? [];
  }

  async #childrenOf(digest: string, mediaType: string | undefined): Promise<readonly string[]> {
    let children = this.#children.get(digest);
    if (children) return children;
    const size = await this.storage.blobSize(digest);
    if (size === undefined || size > 4 * 1024 * 1024) return [];
    const parsed = parseManifest(await this.readWhole(digest, size, size), mediaType);
    children = parsed.kind === 'index' ? parsed.manifests.map((m) => m.digest) : [];
    this.#children.set(digest, children);
    return children;
  }

  /**
   * Whether the layout, or the bundle it is a delta of, holds the blob (of `expectedSize`, when
   * given); for the base, held for images of `repository` (see Inventory.blobs).
   */
  async blobSize(digest: string, expectedSize?: number, repository?: string): Promise<number | undefined> {
    const size = (await this.storage.blobSize(digest)) ?? holds(this.base, digest, repository)?.size;
    return expectedSize !== undefined && expectedSize >= 0 && size !== expectedSize ? undefined : size;
  }

  /** A blob's bytes from `from`, its digest and size checked as they stream (the error names the file). */
  async openBlob(digest: string, size: number, from = 0): Promise<Readable> {
    const file = this.storage.blobFile(digest);
    const held = await this.storage.blobSize(digest);
    if (held === undefined) throw await missingBlob(this, digest);
    if (size >= 0 && held !== size) throw new ContentError('SIZE_MISMATCH', `blob ${digest} in ${file}: ${held} bytes, expected ${size}`);
    const raw = await this.storage.readBlob(digest, from);
    if (!raw) throw await missingBlob(this, digest);
    const check = new DigestCheck({ digest, size: held, file, from });
    raw.once('error', (error) => check.destroy(LayoutError.io('read', file, error)));
    check.once('close', () => raw.destroy());
    return raw.pipe(check);
  }

  /** A small blob (a manifest, a config) read whole and verified. */
  async readWhole(digest: string, size: number, limit: number): Promise<Buffer> {
    if (size > limit)
      throw new ContentError(
        'SIZE_MISMATCH',
        `blob ${digest} in ${this.storage.blobFile(digest)}: ${size} bytes is more than the ${limit} read whole`,
      );
    const chunks: Buffer[] = [];
    for await (const chunk of await this.openBlob(digest, size)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** The repositories using each blob this layout holds (a manifest it lacks, a delta's, is skipped). */
  owners(index: IndexDocument): Promise<Map<string, Set<string>>> {
    return blobOwners(index, async (digest, mediaType) => {
      const size = await this.storage.blobSize(digest);
      if (size === undefined || size > MANIFEST_SIZE_LIMIT) return undefined;
      return parseManifest(await this.readWhole(digest, size, size), mediaType);
    });
  }

  /** The inventory the bundle carries inside (a delta's says where each blob came from). */
  ownInventory(): Promise<Inventory | undefined> {
    this.#own ??= this.storage
      .readFile(INVENTORY_FILE)
      .then((bytes) => (bytes ? parseInventory(bytes, `${this.place} ${INVENTORY_FILE}`) : undefined))
      .catch(() => undefined);
    return this.#own;
  }

  /** Makes the layout writable, once. */
  prepareWrite(): Promise<void> {
    this.#prepared ??= this.storage.prepareWrite();
    return this.#prepared;
  }

  async beginBlob(): Promise<BlobSink> {
    await this.prepareWrite();
    return this.storage.beginBlob();
  }

  /** Keeps manifest bytes under their digest, unless the layout (or its base, for `repository`) holds them already. */
  async putBlobBytes(digest: string, bytes: Buffer, repository: string): Promise<void> {
    if ((await this.blobSize(digest, bytes.length, repository)) !== undefined) return;
    const sink = await this.beginBlob();
    await sink.write(Readable.from([bytes]), digest, bytes.length);
  }

  /** Lists an image in index.json; resolves once it is written. */
  async list(entry: IndexEntry): Promise<void> {
    await this.prepareWrite();
    await this.#index.add(entry);
  }

  /**
   * Ends a writing run: an archive gets its index.json and becomes complete; the inventory of the
   * bundle (and its base) is written inside it and beside it (`<bundle>.inventory.json`).
   */
  async finish(): Promise<void> {
    if (!this.#prepared) return;
    await this.#prepared;
    const index = await this.index();
    const inventory = inventoryOf(this.bundle, index, await this.storage.listBlobs(), await this.owners(index), this.base);
    const bytes = serialiseInventory(inventory);
    await this.storage.writeFile(INVENTORY_FILE, bytes);
    await this.storage.finish();
    const path = this.place.slice(this.place.indexOf(':') + 1);
    await writeAtomically(`${path}.inventory.json`, bytes);
  }
}
