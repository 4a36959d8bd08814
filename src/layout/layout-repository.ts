import type { Readable } from 'node:stream';
import { CancelledError, ImageNotFoundError, LayoutError } from '../errors/index.js';
import { isTag } from '../reference/index.js';
import {
  MANIFEST_SIZE_LIMIT,
  MediaType,
  parseManifest,
  referrerEntries,
  referrersTag,
  sha256Digest,
  type BlobUpload,
  type ContentRepository,
  type FetchedManifest,
  type ManifestHead,
  type ManifestPushed,
  type PutManifestOptions,
  type ReferrersListing,
} from '../registry/index.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/index.js';
import { REF_NAME, refNameOf, type IndexEntry } from './index-document.js';
import { holds } from './inventory.js';
import type { Layout } from './layout.js';
import { LayoutUpload } from './layout-upload.js';
import { missingBlob } from './missing-blob.js';
import { digestRefName, parseRefName, tagRefName } from './ref-names.js';
import { subjectNames, type SubjectWrite } from './subject-names.js';

/**
 * The images of an OCI layout named under one repository (`team/app` for `team/app:v1`, '' for a
 * layout named by tags alone), as a ContentRepository. Opened to read (`mustExist`), a layout that
 * is not there is an error; opened to write, it is an empty layout until the first write makes it.
 */
export class LayoutRepository implements ContentRepository {
  readonly name: string;
  readonly signal: AbortSignal | undefined;
  readonly retryPolicy: RetryPolicy = DEFAULT_RETRY_POLICY;
  #layout: Layout;
  #mustExist: boolean;

  constructor(layout: Layout, name: string, options: { mustExist: boolean; signal?: AbortSignal | undefined }) {
    this.#layout = layout;
    this.name = name;
    this.signal = options.signal;
    this.#mustExist = options.mustExist;
  }

  get place(): string {
    return this.#layout.place;
  }

  get where(): string {
    return this.name === '' ? this.#layout.place : `${this.#layout.place}:${this.name}`;
  }

  /** Checks first that the run was not stopped: local work does not listen to the signal by itself. */
  async #ready(): Promise<void> {
    const stopped = CancelledError.ifAborted([this.signal], this.where);
    if (stopped) throw stopped;
    if (this.#mustExist && !(await this.#layout.exists())) {
      const file = this.#layout.storage.indexFile;
      throw new LayoutError('LAYOUT_INVALID', file, `${this.#layout.place} is not an OCI layout: ${file} does not exist`);
    }
  }

  /** The entry a tag names; `latest` of a layout without names is its only image, as skopeo reads `oci:DIR`. */
  async #tagged(tag: string): Promise<{ digest: string; mediaType?: string; size?: number } | undefined> {
    const entry = await this.#layout.entry(tagRefName(this.name, tag));
    if (entry) return entry;
    const manifests = (await this.#layout.index()).manifests;
    if (this.name === '' && tag === 'latest' && manifests.length === 1 && manifests[0]) return manifests[0];
    const base = this.#layout.base;
    const digest = base?.images.get(tagRefName(this.name, tag));
    const held = digest === undefined ? undefined : holds(base, digest, this.name);
    return digest === undefined ? undefined : { digest, size: held?.size, mediaType: held?.mediaType };
  }

  async headManifest(reference: string): Promise<ManifestHead | undefined> {
    await this.#ready();
    if (isTag(reference)) {
      const found = await this.#tagged(reference);
      return found ? { digest: found.digest, mediaType: found.mediaType, size: found.size } : undefined;
    }
    if ((await this.#layout.listedManifests()).has(reference))
      return { digest: reference, mediaType: undefined, size: await this.#layout.blobSize(reference) };
    // Held by the base bundle of a delta: the inventory knows the media type of each image the base named.
    const held = holds(this.#layout.base, reference, this.name);
    return held ? { digest: reference, mediaType: held.mediaType, size: held.size } : undefined;
  }

  async getManifest(reference: string): Promise<FetchedManifest> {
    await this.#ready();
    const found = isTag(reference) ? await this.#tagged(reference) : { digest: reference };
    if (!found)
      throw new ImageNotFoundError(`${this.where}:${reference}`, { missing: 'tag', repository: this.where, identifier: reference });
    const size = await this.#layout.storage.blobSize(found.digest);
    if (size === undefined) throw await missingBlob(this.#layout, found.digest);
    const bytes = await this.#layout.readWhole(found.digest, size, MANIFEST_SIZE_LIMIT);
    const parsed = parseManifest(bytes, found.mediaType);
    return { bytes, digest: found.digest, mediaType: parsed.mediaType, parsed };
  }

  /**
   * Keeps the bytes, then (unless it is a child: of an index, or a referrer that its subject's
   * fallback index lists) names the image in index.json; in a delta bundle, a name written while
   * following an image's referrers (a fallback or cosign tag, a bare referrer) also names that image,
   * and the referrer tags on the way down to what is new, as its base named them (subject-names.ts).
   */
  async putManifest(reference: string, bytes: Buffer, mediaType: string, options: PutManifestOptions = {}): Promise<ManifestPushed> {
    await this.#ready();
    const digest = sha256Digest(bytes);
    await this.#layout.putBlobBytes(digest, bytes, this.name);
    if (options.child) {
      const pushed = await this.#child(digest, bytes, mediaType);
      if (pushed.ociSubject !== undefined) await this.#nameSubjects({ path: options.referrerPath }, []);
      return pushed;
    }
    const name = isTag(reference) ? tagRefName(this.name, reference) : digestRefName(this.name, digest);
    const entry: IndexEntry = {
      mediaType,
      digest,
      size: bytes.length,
      ...(name !== undefined ? { annotations: { [REF_NAME]: name } } : {}),
    };
    await this.#nameSubjects({ tag: isTag(reference) ? reference : undefined, path: options.referrerPath }, [entry]);
    return { digest, ociSubject: undefined };
  }

  /** Lists `entries` and, in a delta bundle, the up-to-date images they are about (see subjectNames). */
  async #nameSubjects(write: SubjectWrite, entries: IndexEntry[]): Promise<void> {
    const subjects = this.#layout.base ? subjectNames(this.#layout.base, this.name, write, await this.#layout.index()) : [];
    await Promise.all([...subjects, ...entries].map((e) => this.#layout.list(e)));
  }

  /**
   * A child, unless it is a referrer of a subject whose referrers this layout keeps as bare entries
   * (oras's way): then it is listed so too, and, as a registry with the referrers API says
   * `OCI-Subject`, `ociSubject` tells the copier that no fallback index is needed.
   */
  async #child(digest: string, bytes: Buffer, mediaType: string): Promise<ManifestPushed> {
    const subject = parseManifest(bytes, mediaType).subject?.digest;
    if (subject === undefined || (await this.#layout.bareReferrersOf(subject)).length === 0) return { digest, ociSubject: undefined };
    await this.#layout.list({ mediaType, digest, size: bytes.length });
    return { digest, ociSubject: subject };
  }

  /**
   * The image-layout spec has no referrers API, so a layout keeps signatures, attestations and
   * SBOMs as a registry without one does (distribution spec 1.1, the referrers tag schema), with
   * index.json names for tags, as regclient's ocidir does: each referrer's blobs and manifest under
   * blobs/, written as a child (no entry of its own); then the subject's fallback tag `sha256-<hex>`,
   * an index.json entry holding the OCI index of its referrers, which lists them (and makes them
   * count as complete); cosign's `sha256-<hex>.sig` / `.att` / `.sbom` are names like any tag.
   * Tools that walk index.json (skopeo, oras, regctl) read such a layout, and the engine finds the
   * referrers there again through the fallback tag (`supported: false`).
   * oras keeps them otherwise: each referrer a bare (unnamed) index.json entry. A subject with such
   * entries is answered here as a referrers API would, with what its fallback index lists besides.
   */
  async listReferrers(subject: string): Promise<ReferrersListing> {
    await this.#ready();
    const bare = await this.#layout.bareReferrersOf(subject);
    if (bare.length === 0) return { supported: false };
    const tag = referrersTag(subject);
    const fallback = (await this.#tagged(tag)) ? (await this.getManifest(tag)).bytes : undefined;
    const listed = fallback ? referrerEntries(fallback, MediaType.ociIndex, `${this.where}:${tag}`) : [];
    const referrers = [...bare, ...listed.filter((e) => !bare.some((b) => b.descriptor.digest === e.descriptor.digest))];
    return { supported: true, referrers, filtersApplied: [] };
  }

  async exists(): Promise<boolean | undefined> {
    if (!(await this.#layout.exists())) return false;
    if (this.name === '') return true;
    return (await this.#layout.index()).manifests.some((m) => parseRefName(refNameOf(m) ?? '')?.repository === this.name);
  }

  async listTags(): Promise<string[]> {
    await this.#ready();
    const tags: string[] = [];
    for (const entry of (await this.#layout.index()).manifests) {
      const parsed = parseRefName(refNameOf(entry) ?? '');
      if (parsed && 'tag' in parsed && parsed.repository === this.name && !tags.includes(parsed.tag)) tags.push(parsed.tag);
    }
    return tags;
  }

  async headBlob(digest: string, expectedSize?: number): Promise<number | undefined> {
    await this.#ready();
    return this.#layout.blobSize(digest, expectedSize, this.name);
  }

  async getBlob(digest: string, expectedSize?: number): Promise<{ stream: Readable; size: number }> {
    await this.#ready();
    const size = expectedSize ?? (await this.#layout.blobSize(digest)) ?? -1;
    return { stream: await this.#layout.openBlob(digest, size), size };
  }

  async getBlobFrom(digest: string, offset: number, size: number): Promise<Readable | undefined> {
    await this.#ready();
    return this.#layout.openBlob(digest, size, offset);
  }

  async readBlob(digest: string, size: number, limit = 1024 * 1024): Promise<Buffer> {
    await this.#ready();
    return this.#layout.readWhole(digest, size, limit);
  }

  async startUpload(): Promise<BlobUpload> {
    await this.#ready();
    return new LayoutUpload(await this.#layout.beginBlob());
  }
}
