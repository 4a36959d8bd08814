import type { Readable } from 'node:stream';
import { repositoryScope } from '../reference/index.js';
import { discardBody, type RetryListener, type RetryPolicy, type Transport } from '../transport/index.js';
import { getBlob, getBlobFrom, headBlob, readBlob } from './blob-requests.js';
import type { ContentRepository } from './content-repository.js';
import {
  deleteManifest,
  getManifest,
  headManifest,
  pushManifest,
  type FetchedManifest,
  type ManifestHead,
  type ManifestPushed,
} from './manifest-requests.js';
import { listReferrers, type ReferrersListing } from './referrers-requests.js';
import { collectPages, type PageOptions } from './pagination.js';
import { RegistryUpload } from './registry-upload.js';
import { send, tagsPath, type RepositoryContext } from './repository-context.js';
import { mountBlob, startUpload } from './uploads.js';

export type Access = 'pull' | 'push';

/** Who uses a client: the run's signal, and the listener told of each retry its requests make. */
export interface ClientCaller {
  signal?: AbortSignal | undefined;
  onRetry?: RetryListener | undefined;
}

/** One repository on one registry, with the access it was opened for: the registry's ContentRepository. */
export class RepositoryClient implements ContentRepository {
  readonly name: string;
  readonly transport: Transport;
  #ctx: RepositoryContext;

  constructor(transport: Transport, name: string, access: Access, caller: ClientCaller = {}) {
    this.transport = transport;
    this.name = name;
    // A push client asks for pull,push once so every call shares one token.
    const scope = repositoryScope(name, access === 'push' ? 'pull,push' : 'pull');
    this.#ctx = { transport, name, scopes: [scope], signal: caller.signal, onRetry: caller.onRetry };
  }

  get registry(): string {
    return this.transport.registry;
  }

  get place(): string {
    return this.transport.registry;
  }

  get where(): string {
    return `${this.transport.registry}/${this.name}`;
  }

  get retryPolicy(): Readonly<RetryPolicy> {
    return this.transport.retryPolicy;
  }

  /** The signal every request of this client carries (the run's), so callers can tell an abort from a failure. */
  get signal(): AbortSignal | undefined {
    return this.#ctx.signal;
  }

  headManifest(reference: string): Promise<ManifestHead | undefined> {
    return headManifest(this.#ctx, reference);
  }

  getManifest(reference: string): Promise<FetchedManifest> {
    return getManifest(this.#ctx, reference);
  }

  /**
   * A child of an index is written like any manifest: a registry keeps it in the repository. The
   * answer's `OCI-Subject` says whether the registry indexed a referrer (see manifest-requests.ts).
   */
  putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<ManifestPushed> {
    return pushManifest(this.#ctx, reference, bytes, mediaType);
  }

  /** The OCI 1.1 referrers of `digest`, or `supported: false` (use the fallback tag). */
  listReferrers(digest: string, artifactType?: string): Promise<ReferrersListing> {
    return listReferrers(this.#ctx, digest, artifactType);
  }

  /** DELETE by tag or digest (see deleteManifest): false when there was nothing to delete. */
  deleteManifest(reference: string): Promise<boolean> {
    return deleteManifest(this.#ctx, reference);
  }

  headBlob(digest: string): Promise<number | undefined> {
    return headBlob(this.#ctx, digest);
  }

  getBlob(digest: string, expectedSize?: number): Promise<{ stream: Readable; size: number }> {
    return getBlob(this.#ctx, digest, expectedSize);
  }

  /** The rest of a blob from byte `offset`; undefined when the registry does not serve ranges. */
  getBlobFrom(digest: string, offset: number, size: number): Promise<Readable | undefined> {
    return getBlobFrom(this.#ctx, digest, offset, size);
  }

  /** A small blob (an image config) read whole and verified; refused above `limit` bytes. */
  readBlob(digest: string, size: number, limit = 1024 * 1024): Promise<Buffer> {
    return readBlob(this.#ctx, digest, size, limit);
  }

  /** Opens an upload session (POST .../blobs/uploads/). */
  async startUpload(): Promise<RegistryUpload> {
    return new RegistryUpload(this.#ctx, await startUpload(this.#ctx));
  }

  /** A cross-repository mount; the session a registry opens when it cannot mount is used, not another. */
  async mountBlob(digest: string, from: string): Promise<'mounted' | RegistryUpload> {
    const result = await mountBlob(this.#ctx, digest, from);
    return result === 'mounted' ? result : new RegistryUpload(this.#ctx, result);
  }

  /**
   * Whether the repository exists, from its tag list (404 NAME_UNKNOWN when it does not);
   * undefined when the registry will not say (denied, unreachable). Asked only to explain a 404.
   */
  async exists(): Promise<boolean | undefined> {
    try {
      const response = await send(this.#ctx, { method: 'GET', path: tagsPath(this.name), expect: [200, 404] });
      await discardBody(response.body);
      return response.status === 200;
    } catch {
      return undefined;
    }
  }

  /** Every tag, following pagination. Order is the registry's (2.8 returns them unsorted and ignores `n`). */
  listTags(options: PageOptions & { pageSize?: number } = {}): Promise<string[]> {
    const first = `${tagsPath(this.name)}?n=${options.pageSize ?? 1000}`;
    return collectPages(this.transport, first, 'tags', this.#ctx.scopes, this.#ctx.signal, options);
  }
}
