import { CancelledError, errorInfo } from '../errors/index.js';
import { parseReference, type Reference } from '../reference/index.js';
import { parsePlatform, RegistryClients, type ContentRepository } from '../registry/index.js';
import type { EndpointOptions, HostEventListener, RetryNotice, Timeouts } from '../transport/index.js';
import { BlobCopier } from './blob-copier.js';
import type { CopyEventListener, ReferrerCounts } from './events.js';
import { copyImage, upToDateResult, type CopyResult } from './image-copier.js';
import { copyGroup, type FollowedImage, type GroupMember } from './grouped-copy.js';
import { Limiter } from './limiter.js';
import { checkImage, type PlanAction } from './check-image.js';
import { Places } from './places.js';
import { planPlatforms } from './plan-platforms.js';
import { resolveImage } from './resolve.js';
import { withSourceTag } from './target-defaults.js';
import type { CopyTask } from './copy-task.js';
import { followReferrers, notApplicable, upToDateSubjects } from './referrers/follow.js';
import { KeyedLock } from './referrers/keyed-lock.js';
import { planReferrers, planSubjects } from './referrers/plan-referrers.js';
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

export interface CopyRunOptions {
  /** Stops the copy where it is; the manifest is never written after it aborted. */
  signal?: AbortSignal;
  /**
   * A stop has begun: a copy that has not started yet (still waiting for a slot) does not start
   * once this aborted; one under way goes on until it ends or `signal` aborts.
   */
  drain?: AbortSignal;
  /**
   * Hears every event this copy causes, and only those: its image, blobs and manifests, the retries
   * of its requests, its digest fallbacks. Work shared with another copy (a blob both need) is
   * reported as blob-copier.ts says. A run files the events under its own name without guessing.
   */
  onEvent?: CopyEventListener;
  /**
   * The run's tag listings: cosign tags are looked for in a repository's tags listed once per run
   * (or taken from the selection rule that listed them), not once per image. Without it, once per copy.
   */
  tagListings?: TagListings;
  /**
   * Called once the check says the image must be written, with its source digest: resolves when
   * this copy may write `target@digest` (`waited`: another process held it, so the target is
   * checked again), and gives what frees it when the copy ends. Workers sharing a queue use it.
   */
  claim?: (digest: string) => Promise<{ waited: boolean; release: () => void }>;
}

/** What `copy` would do: the image's action, and the signatures and attestations it would copy, by artifact type. */
export interface PlanResult {
  /** `skip`: a platform filter leaves nothing of the image (the copy would skip it, `note` says why). */
  action: PlanAction | 'skip';
  digest: string;
  note?: string;
  /** Referrers of the image's own digest missing at the target, and cosign tags that differ (see plan-referrers.ts). */
  referrers?: Record<string, number>;
}

/** What `plan` tells its caller about: digest fallbacks and the retries of its HEADs. */
export interface PlanOptions {
  onEvent?: CopyEventListener;
  /** As CopyRunOptions.tagListings. */
  tagListings?: TagListings;
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
   * Copies one image; resolves with what was done, rejects with a typed error and emits
   * image-failed, or, once `run.signal` aborted, rejects with a CancelledError and emits image-cancelled.
   */
  async copy(task: CopyTask, run: CopyRunOptions = {}): Promise<CopyResult> {
    const shownSource = task.source;
    const shownTarget = task.target;
    const emit = run.onEvent ?? ignore;
    let started = false;
    try {
      const source = parseReference(task.source);
      const target = withSourceTag(source, parseReference(task.target));
      const platforms = (task.platforms ?? []).map(parsePlatform);
      const force = task.force === true;
      const filtered = platforms.length > 0;
      const { sourceRepo, targetRepo } = await this.#repositories(source, target, task, 'push', emit, run.signal);
      const began = Date.now();
      // Three stages. A window bounds how many images are checked and resolved ahead of the
      // transfers (their manifests wait in memory). The no-change check is two HEADs, so many run
      // at once outside the transfer slots: up-to-date images never wait behind a copy. An image to
      // copy has its manifests read there too, and then waits for a transfer slot biggest first.
      const leaveWindow = await this.#lookahead.acquire();
      let transfer: () => void = () => {};
      let unclaim: () => void = () => {};
      try {
        const checkNow = () =>
          this.#checks.run(async () => {
            throwIfStopping(run, shownTarget);
            const check = await checkImage(source, target, sourceRepo, targetRepo, {
              filtered,
              force,
              onDigestFallback: digestFallback(target, emit),
            });
            if (check.action === 'up-to-date') return { check, resolved: undefined };
            const resolved = await resolveImage({
              sourceRepo,
              targetRepo,
              sourceDigest: check.digest,
              sourceManifest: check.manifest,
              shownSource: source.toString(),
              filtered,
              force,
            });
            return { check, resolved };
          });
        let checked = await checkNow();
        if (checked.resolved && run.claim) {
          const claim = await run.claim(checked.check.digest);
          unclaim = claim.release;
          // Another process wrote this image to this tag meanwhile: what the target has now decides.
          if (claim.waited) checked = await checkNow();
        }
        if (!checked.resolved) {
          const result = upToDateResult(source, target, checked.check.digest, began);
          if (task.referrers !== false) {
            const { digest, targetMediaType } = checked.check;
            const image = { task, source, target, sourceRepo, targetRepo, digest: result.digest, run, emit };
            result.referrers = await this.#referrers(image, () => upToDateSubjects(targetRepo, digest, targetMediaType));
          }
          emit({
            type: 'image-skipped',
            source: result.source,
            target: result.target,
            digest: result.digest,
            reason: 'up-to-date',
            ...(result.referrers ? { referrers: result.referrers } : {}),
            time: Date.now(),
          });
          return result;
        }
        transfer = await this.#images.acquire(checked.resolved.bytes);
        leaveWindow();
        throwIfStopping(run, shownTarget);
        started = true;
        emit({ type: 'image-started', source: source.toString(), target: target.toString(), time: Date.now() });
        const { result, subjects } = await copyImage({
          source,
          target,
          sourceRepo,
          targetRepo,
          resolved: checked.resolved,
          platforms,
          ...(task.missingPlatforms ? { missingPlatforms: task.missingPlatforms } : {}),
          force,
          blobs: this.#blobs,
          emit,
        });
        // An image skipped for its platforms was not written: nothing of it to sign at the target.
        const follows = task.referrers !== false && result.status !== 'platform-skipped';
        if (follows) {
          const image = { task, source, target, sourceRepo, targetRepo, digest: result.sourceDigest, written: result.digest, run, emit };
          result.referrers = await this.#referrers(image, () => Promise.resolve(subjects));
        }
        const time = Date.now();
        const referrers = result.referrers ? { referrers: result.referrers } : {};
        if (result.status === 'skipped') {
          const { source, target, digest } = result;
          emit({ type: 'image-skipped', source, target, digest, reason: 'up-to-date', ...referrers, time });
        } else if (result.status === 'platform-skipped') {
          const { source, target, digest, note } = result;
          emit({ type: 'image-skipped', source, target, digest, reason: 'platform', ...(note ? { note } : {}), time });
        } else {
          const { bytes, blobsCopied, blobsSkipped, blobsMounted, durationMs, digest, sourceDigest } = result;
          emit({
            type: 'image-done',
            source: result.source,
            target: result.target,
            digest,
            sourceDigest,
            bytes,
            blobsCopied,
            blobsSkipped,
            blobsMounted,
            durationMs,
            ...referrers,
            time,
          });
        }
        return result;
      } finally {
        unclaim();
        transfer();
        leaveWindow();
      }
    } catch (error) {
      // Whatever broke after the run was stopped (an aborted request, a reset stream) is the stop's doing.
      const cancelled = CancelledError.ifAborted([run.signal], shownTarget, error);
      if (cancelled) {
        emit({ type: 'image-cancelled', source: shownSource, target: shownTarget, started, time: Date.now() });
        throw cancelled;
      }
      emit({ type: 'image-failed', source: shownSource, target: shownTarget, error: errorInfo(error), time: Date.now() });
      throw error;
    }
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
      referrers: (image, subjects) => this.#referrers(image, subjects),
    });
  }

  /**
   * What follows an image copied or found up to date, between registries and OCI layouts alike: its
   * referrers and cosign tags. `subjects` is read only when they are followed.
   */
  async #referrers(image: FollowedImage, subjects: () => Promise<string[]>): Promise<ReferrerCounts> {
    const { task, source, target, sourceRepo, targetRepo, run, emit } = image;
    const counts = await followReferrers({
      task,
      sourceRepo,
      targetRepo,
      targetName: target.toString(),
      subjects: await subjects(),
      emit,
      blobs: this.#blobs,
      locks: this.#referrerLocks,
      tagListings: shared(run.tagListings, source),
    });
    // The source index's own referrers have no subject at the target when a filter wrote a new index.
    if (image.written !== undefined && image.written !== image.digest)
      await notApplicable(task, sourceRepo, image.digest, target.toString(), emit);
    return counts;
  }

  /** What `copy` would do (HEAD requests, and the listings of signatures and attestations; writes nothing). */
  async plan(task: CopyTask, options: PlanOptions = {}): Promise<PlanResult> {
    const emit = options.onEvent ?? ignore;
    const source = parseReference(task.source);
    const target = withSourceTag(source, parseReference(task.target));
    const { sourceRepo, targetRepo } = await this.#repositories(source, target, task, 'pull', emit);
    const check = {
      filtered: (task.platforms ?? []).length > 0,
      force: task.force === true,
      onDigestFallback: digestFallback(target, emit),
    };
    let checked = await this.#checks.run(() => checkImage(source, target, sourceRepo, targetRepo, check));
    const platforms = (task.platforms ?? []).map(parsePlatform);
    const missing = task.missingPlatforms;
    const filtered = check.filtered
      ? await planPlatforms({ source, target, sourceRepo, targetRepo, check: checked, platforms, missing, force: check.force })
      : undefined;
    if (filtered) checked = { ...checked, manifest: filtered.manifest };
    const action = filtered?.action ?? checked.action;
    const digest = checked.digest;
    if (filtered?.action === 'skip') return { action: 'skip', digest, ...(filtered.note ? { note: filtered.note } : {}) };
    if (task.referrers === false) return { action, digest };
    const referrers = await planReferrers({
      source: sourceRepo,
      target: targetRepo,
      subjects: await planSubjects(sourceRepo, targetRepo, checked, platforms, source.toString(), missing),
      filter: task.artifactTypes ?? {},
      cosignTags: task.cosignTags !== false,
      force: check.force,
      witness: { target: target.toString(), emit },
      sourceTags: () => {
        const list = () => sourceRepo.listTags();
        return options.tagListings ? options.tagListings.tags(source.registry, source.repository, list) : list();
      },
    });
    return { action, digest, referrers };
  }

  /** Hears every host event of the engine (quota, pauses), for every copy at once; the returned function stops it. */
  onHostEvent(listener: HostEventListener): () => void {
    return this.#clients.onHostEvent(listener);
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

const ignore: CopyEventListener = () => {};

/** The run's listings of the source repository's tags, named as the task names the source. */
function shared(
  listings: TagListings | undefined,
  source: Reference,
): { listings: TagListings; registry: string; repository: string } | undefined {
  return listings ? { listings, registry: source.registry, repository: source.repository } : undefined;
}

/** Reports a GET that stood in for a HEAD without digest, as an event of the image `target`. */
function digestFallback(target: Reference, emit: CopyEventListener): (reference: string) => void {
  return (reference) => emit({ type: 'digest-fallback', target: target.toString(), reference, time: Date.now() });
}

/** A copy still waiting for its turn does not start once its run is stopping or stopped. */
function throwIfStopping(run: CopyRunOptions, shownTarget: string): void {
  const stopped = CancelledError.ifAborted([run.signal, run.drain], shownTarget);
  if (stopped) throw stopped;
}
