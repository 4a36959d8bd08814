import type { Reference } from '../reference/index.js';
import { RegistryClients, type ContentRepository } from '../registry/index.js';
import type { EndpointOptions, HostEventListener, RetryNotice, Timeouts } from '../transport/index.js';
import { BlobCopier } from './blob-copier.js';
import type { CopyRunOptions } from './copy-run-options.js';
import type { CopyEventListener, ReferrerCounts } from './events.js';
import type { CopyResult } from './image-copier.js';
import { copyGroup, type FollowedImage, type GroupMember } from './grouped-copy.js';
import { Limiter } from './limiter.js';
import { Places } from './places.js';
import { planCopy, type PlanOptions, type PlanResult } from './plan-copy.js';
import { copySingle } from './single-copy.js';
import type { CopyTask } from './copy-task.js';
import { followReferrers, notApplicable } from './referrers/follow.js';
import { KeyedLock } from './referrers/keyed-lock.js';
import type { TagListings } from './tag-listings.js';

export interface CopyEngineOptions {
  /** Images copied at once, across all callers of this engine. */
  imageConcurrency?: number;
  /** Blob transfers at once, across all images. */
  blobConcurrency?: number;
  /** No-change checks (two HEADs each, then the manifests to copy) at once; default 4x the images, at most 32. */
  checkConcurrency?: number;
  /** Images checked and resolved ahead of the transfers, so the biggest can go first; default 128. */
  lookahead?: number;
  /** Default options for a registry host when a task does not bring its own. */
  endpoint?: (registry: string) => EndpointOptions;
  /** Connect, answer and read deadlines and the blob rate (the transport's defaults where absent). */
  timeouts?: Partial<Timeouts>;
  /** Hears what happens to a registry host for every copy at once (its quota, pauses); more with onHostEvent(). */
  onHostEvent?: HostEventListener;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (default: process.env). */
  proxyEnv?: NodeJS.ProcessEnv;
}

/**
 * The copy engine: shared limits, a shared blob copier (in-flight de-duplication, known blob
 * locations for mounts) and shared registry connections for every copy of the process.
 * Reports progress only as typed events, each to the listener of the copy that caused it.
 */
export class CopyEngine {
  #images: Limiter;
  #checks: Limiter;
  #lookahead: Limiter;
  #blobs: BlobCopier;
  #clients: RegistryClients;
  /** One writer at a time per target fallback tag, across every copy of the process. */
  #referrerLocks = new KeyedLock();
  #places: Places;

  constructor(options: CopyEngineOptions = {}) {
    // The config's defaults (measured with `npm run bench`: more blob streams help, more images barely).
    const images = options.imageConcurrency ?? 8;
    const blobs = options.blobConcurrency ?? 16;
    const checks = options.checkConcurrency ?? Math.min(32, 4 * images);
    this.#images = new Limiter(images);
    this.#checks = new Limiter(checks);
    this.#lookahead = new Limiter(Math.max(options.lookahead ?? 128, checks));
    this.#clients = new RegistryClients({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.onHostEvent ? { onHostEvent: options.onHostEvent } : {}),
      ...(options.proxyEnv ? { proxyEnv: options.proxyEnv } : {}),
      // Sized to what can be in flight at one registry, so no request queues behind a full pool:
      // every check's HEAD, or every image's manifest requests beside every blob's two streams.
      maxConnections: Math.max(checks, images + 2 * blobs),
    });
    this.#places = new Places(this.#clients);
    this.#blobs = new BlobCopier({ limiter: new Limiter(blobs) });
  }

  /** The source and target of one copy (or plan), registries or layouts: their requests report retries to `emit`. */
  async #repositories(
    source: Reference,
    target: Reference,
    task: CopyTask,
    targetAccess: 'pull' | 'push',
    emit: CopyEventListener,
    signal?: AbortSignal,
  ): Promise<{ sourceRepo: ContentRepository; targetRepo: ContentRepository }> {
    const onRetry = (notice: RetryNotice): void => emit({ type: 'retry', ...notice, time: Date.now() });
    const caller = { signal, onRetry };
    const [sourceRepo, targetRepo] = await Promise.all([
      this.#places.repository(source, 'source', 'pull', task.sourceEndpoint, caller),
      this.#places.repository(target, 'target', targetAccess, task.targetEndpoint, caller, task.since),
    ]);
    return { sourceRepo, targetRepo };
  }

  /**
   * Copies one image (single-copy.ts); resolves with what was done, rejects with a typed error and emits
   * image-failed, or, once `run.signal` aborted, rejects with a CancelledError and emits image-cancelled.
   */
  copy(task: CopyTask, run: CopyRunOptions = {}): Promise<CopyResult> {
    return copySingle(task, run, {
      repositories: (source, target, task, emit, signal) => this.#repositories(source, target, task, 'push', emit, signal),
      lookahead: this.#lookahead,
      checks: this.#checks,
      images: this.#images,
      blobs: this.#blobs,
      referrers: (image, subjects, children) => this.#referrers(image, subjects, children),
    });
  }

  /**
   * One source image to several destinations, read once (grouped-copy.ts): settles per destination
   * as copy() would, each destination's events to its own listener.
   */
  copyGroup(members: readonly GroupMember[]): Promise<Array<PromiseSettledResult<CopyResult>>> {
    return copyGroup(members, {
      copy: (task, run) => this.copy(task, run),
      repositories: (source, target, task, emit, signal) => this.#repositories(source, target, task, 'push', emit, signal),
      images: this.#images,
      checks: this.#checks,
      blobs: this.#blobs,
      referrers: (image, subjects, children) => this.#referrers(image, subjects, children),
    });
  }

  /**
   * What follows an image copied or found up to date, between registries and OCI layouts alike: its
   * referrers and cosign tags. `subjects` is read only when they are followed, `children` (an
   * up-to-date index's) only when one could have referrers (follow.ts).
   */
  async #referrers(
    image: FollowedImage,
    subjects: () => Promise<string[]>,
    children?: () => Promise<readonly string[]>,
  ): Promise<ReferrerCounts> {
    const { task, source, target, sourceRepo, targetRepo, run, emit } = image;
    const counts = await followReferrers({
      task,
      sourceRepo,
      targetRepo,
      targetName: target.toString(),
      subjects: await subjects(),
      children,
      emit,
      blobs: this.#blobs,
      locks: this.#referrerLocks,
      tagListings: shared(run.tagListings, source),
    });
    // The source index's own referrers have no subject at the target when a filter wrote a new index.
    if (image.written !== undefined && image.written !== image.digest) {
      const listed = run.tagListings?.listed(source.registry, source.repository);
      const lookups = { api: run.tagListings?.referrersApi, tags: listed && (() => listed.catch(() => undefined)) };
      await notApplicable(task, sourceRepo, image.digest, target.toString(), emit, lookups);
    }
    return counts;
  }

  /** What `copy` would do (plan-copy.ts: HEAD requests, and the listings of signatures and attestations; writes nothing). */
  plan(task: CopyTask, options: PlanOptions = {}): Promise<PlanResult> {
    return planCopy(task, options, {
      repositories: (source, target, task, emit) => this.#repositories(source, target, task, 'pull', emit),
      checks: this.#checks,
    });
  }

  /** Hears every host event of the engine (quota, pauses), for every copy at once; the returned function stops it. */
  onHostEvent(listener: HostEventListener): () => void {
    return this.#clients.onHostEvent(listener);
  }

  /** Requests of every copy to `host` wait `waitMs` from now, as after a 429 (one another worker got). */
  pauseHost(host: string, waitMs: number): void {
    this.#clients.pauseHost(host, waitMs);
  }

  /**
   * Ends the writing run of a layout target (`oci:`/`oci-archive:` place): an archive gets its
   * index.json and is renamed into place, a bundle its inventory. A no-op for a registry.
   */
  finish(place: string): Promise<void> {
    return this.#places.finish(place);
  }

  /**
   * The registry connections every copy of this engine goes through. Whoever else talks to the
   * same registries in the same run (listing tags and catalogs) should use them too: one keep-alive
   * pool and one token cache per host and credential.
   */
  get clients(): RegistryClients {
    return this.#clients;
  }

  /** Finishes every layout written, then closes pooled connections. */
  async close(): Promise<void> {
    await this.#places.close();
  }
}

/** The run's listings of the source repository's tags, named as the task names the source. */
function shared(
  listings: TagListings | undefined,
  source: Reference,
): { listings: TagListings; registry: string; repository: string } | undefined {
  return listings ? { listings, registry: source.registry, repository: source.repository } : undefined;
}
