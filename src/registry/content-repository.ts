import type { Readable } from 'node:stream';
import type { RetryPolicy } from '../transport/index.js';
import type { FetchedManifest, ManifestHead, ManifestPushed } from './manifest-requests.js';
import type { PageOptions } from './pagination.js';
import type { ReferrersListing } from './referrers-requests.js';

/**
 * Where the bytes of one new blob go: a registry's upload session, or a temporary file of an OCI
 * layout. The place verifies the digest before it keeps the blob: nothing half-written or wrong
 * is ever found under its digest.
 */
export interface BlobUpload {
  /**
   * Sends the whole blob; resolves once the place holds it under `digest`. `fedBy`: the place the
   * body is read from (a streamed copy), so that a registry's request limits count the pair once.
   */
  send(body: Readable, digest: string, size: number, fedBy?: string): Promise<void>;
  /**
   * After `send` broke on the way: how many bytes the place kept, so the rest can follow; undefined
   * when it kept nothing usable (then the caller cancels and starts over).
   */
  resumeOffset(): Promise<number | undefined>;
  /** Sends the bytes from `offset` on, after resumeOffset said the place holds those before it. */
  sendRest(body: Readable, offset: number, digest: string, size: number, fedBy?: string): Promise<void>;
  /** Abandons the upload (best effort, never throws). */
  cancel(): Promise<void>;
}

export interface PutManifestOptions {
  /**
   * The manifest is written because an index lists it (an image index, or the fallback index of a
   * referrer's subject), not as an image of its own. A registry keeps it in the repository all the
   * same; a layout keeps it as a blob but names only images (and tags) in index.json.
   */
  child?: boolean;
  /**
   * Written while following an image's referrers (a referrer, a fallback index, a cosign tag): the
   * image's digest first, then each subject down to the one this manifest describes (a child of an
   * index, an SBOM, ...). A registry ignores it; a delta bundle names that image and the referrer
   * tags on the way as its base named them, so an import by the image's name reaches what is new.
   */
  referrerPath?: readonly string[];
}

/**
 * A place that holds content, seen as one repository: a repository of a registry, or the images
 * of an OCI layout (directory or tar) under one name. The copy engine talks to every place through
 * this interface and nothing else, so its stages, limits and events do not care which it is.
 */
export interface ContentRepository {
  /** The place: a registry host, or a layout (`oci:/abs/dir`). Blobs are shared within a place. */
  readonly place: string;
  /** The repository path in the place ('' for a layout whose images are named by tag alone). */
  readonly name: string;
  /** How messages name it: `host/repository`, `oci:/dir:repository`. */
  readonly where: string;
  /** The signal every operation carries (the run's), so callers can tell an abort from a failure. */
  readonly signal: AbortSignal | undefined;
  /** How a whole-blob attempt that failed here is spaced and bounded. */
  readonly retryPolicy: RetryPolicy;

  /** What `reference` (tag or digest) points at, undefined when absent; costs no pull. */
  headManifest(reference: string): Promise<ManifestHead | undefined>;
  /** The manifest, verified against its digest; its bytes as stored. */
  getManifest(reference: string): Promise<FetchedManifest>;
  /**
   * Writes manifest bytes as they are, at a tag or by digest; resolves with their sha256 digest and
   * the `OCI-Subject` a registry with a referrers API answers for a manifest with a `subject`
   * (undefined from a place that keeps no subject index).
   */
  putManifest(reference: string, bytes: Buffer, mediaType: string, options?: PutManifestOptions): Promise<ManifestPushed>;
  /** Whether the repository exists; undefined when the place will not say. Asked only to explain a miss. */
  exists(): Promise<boolean | undefined>;
  /**
   * The OCI 1.1 referrers of `digest`, or `supported: false`: a registry without the API, or an OCI
   * layout (it has none; its index.json names the fallback tag `sha256-<hex>` instead).
   */
  listReferrers(digest: string, artifactType?: string): Promise<ReferrersListing>;
  /** Every tag. */
  listTags(options?: PageOptions & { pageSize?: number }): Promise<string[]>;

  /**
   * The size of a blob the place holds, undefined when it does not. `expectedSize` lets a place that
   * can hold a damaged copy (a file) answer undefined for a blob of the wrong size.
   */
  headBlob(digest: string, expectedSize?: number): Promise<number | undefined>;
  /** A blob as a stream; whoever reads it verifies its digest while it flows. */
  getBlob(digest: string, expectedSize?: number): Promise<{ stream: Readable; size: number }>;
  /** The rest of a blob from byte `offset`; undefined when the place cannot serve ranges. */
  getBlobFrom(digest: string, offset: number, size: number): Promise<Readable | undefined>;
  /** A small blob (an image config) read whole and verified; refused above `limit` bytes. */
  readBlob(digest: string, size: number, limit?: number): Promise<Buffer>;

  /** Opens the way for a new blob's bytes. */
  startUpload(): Promise<BlobUpload>;
  /**
   * Where a place can link a blob it holds in another of its repositories without moving bytes
   * (a registry's cross-repository mount): 'mounted', or an upload to use instead when it could not.
   * Absent where there is no such thing (a layout keeps one set of blobs for all its images).
   */
  mountBlob?: (digest: string, from: string) => Promise<'mounted' | BlobUpload>;
}
