import { CancelledError, errorMessage } from '../errors/index.js';
import type { BlobUpload, ContentRepository, Descriptor } from '../registry/index.js';
import { BlobLocations } from './blob-locations.js';
import { streamBlob } from './blob-stream.js';
import { TransferFailure } from './blob-transfer.js';
import { sharedSightings, uploadShared } from './shared-upload.js';
import type { CopyEventListener } from './events.js';
import type { Limiter } from './limiter.js';
import type { SharedBlobs } from './shared-blobs.js';
import { sendToMany } from './grouped-transfer.js';
import { pauseBeforeRetry } from './retry-pause.js';

export type BlobOutcome = { kind: 'skipped' } | { kind: 'mounted'; from: string } | { kind: 'copied'; bytes: number };

/**
 * Mounts a copy of a blob asks for at most each time it looks where the blob was seen: before its
 * upload, and once it holds the shared upload claim (then only repositories not asked yet, so where
 * another worker just put it is still tried). Each mount a registry refuses opens an upload
 * session there that the next attempt deletes (distribution writes and removes its files:
 * measured, 200 refused mounts cost a registry about the CPU of the 77 uploads of the same run),
 * and sightings go stale together (a registry wiped, garbage-collected or its repositories
 * deleted): without a bound, a layer seen in 50 repositories cost 50 of them before its bytes went.
 */
export const MOUNT_ATTEMPTS = 3;

/** The copy that needs a blob: its printed target names the blob's events, and `emit` hears them. */
export interface BlobCaller {
  targetName: string;
  emit: CopyEventListener;
  /** Aborts once the caller's copy failed for good elsewhere (target-stop.ts): its transfers stop at once, rejecting with the reason. */
  signal?: AbortSignal | undefined;
  /** Blob uploads shared with other processes (shared-blobs.ts): their sightings are mount candidates, and one of them uploads a blob at a time. */
  shared?: SharedBlobs | undefined;
}

/** One target of a grouped copy: where the blob goes, and whose events it is. */
export interface BlobTarget {
  repo: ContentRepository;
  caller: BlobCaller;
}

export interface BlobCopierOptions {
  limiter: Limiter;
  /** Whole-blob attempts when the stream breaks (each restarts from the source GET). */
  attempts?: number;
  /** Minimum bytes between two progress events of one blob. */
  progressStepBytes?: number;
}

/**
 * Copies blobs in the cheapest way available, in regclient's order: already there (HEAD) ->
 * mount from another repository of the same registry -> stream source to target. The target may
 * be any place (a registry, an OCI layout): one that cannot mount gets the bytes streamed.
 * Remembers where blobs live in each target place and de-duplicates work in flight, so a
 * layer shared by many images of a run crosses the network once.
 *
 * Events go to the caller whose work it is. Shared work is reported once, to the caller that does
 * it (started, progress, resumes, retries, mount failures, done); a caller that waited on it hears
 * one blob-skipped when it is done (the blob is there; it moved nothing itself, so bytes are
 * counted once, for the copy that moved them), or does the work itself if it failed. A caller
 * that waited for another repository's stream then checks or mounts on its own, and hears that.
 */
export class BlobCopier {
  #options: Required<BlobCopierOptions>;
  #locations = new BlobLocations();
  /** `place|digest` -> the copy that may stream these bytes to that place. */
  #streaming = new Map<string, Promise<BlobOutcome>>();
  /** `place/repository|digest` -> the copy of that blob into that repository. */
  #intoRepository = new Map<string, Promise<BlobOutcome>>();

  constructor(options: BlobCopierOptions) {
    this.#options = { attempts: 3, progressStepBytes: 4 * 1024 * 1024, ...options };
  }

  /**
   * Makes `blob` present in `target`. Into one repository a blob goes once: a second caller shares
   * the first one's work (distribution 2.8 rewrites a repository's blob link in place, and a
   * manifest PUT reading it meanwhile fails with DIGEST_INVALID). If that work fails, the second
   * caller tries on its own, so one run's cancellation never fails another's image.
   */
  copy(source: ContentRepository, target: ContentRepository, blob: Descriptor, caller: BlobCaller): Promise<BlobOutcome> {
    const key = `${target.place}/${target.name}|${blob.digest}`;
    const shared = this.#intoRepository.get(key);
    if (shared) {
      return shared.then(
        () => {
          caller.emit({ type: 'blob-skipped', target: caller.targetName, digest: blob.digest, size: blob.size, time: Date.now() });
          return { kind: 'skipped' } as const;
        },
        () => this.copy(source, target, blob, caller),
      );
    }
    const work = this.#copyIntoRepository(source, target, blob, caller);
    this.#intoRepository.set(key, work);
    const forget = () => this.#intoRepository.delete(key);
    work.then(forget, forget);
    return work;
  }

  /**
   * One blob into the targets of a grouped copy (one source image, several destinations), each checked
   * and mounted as by copy(); the bytes are read once, teed into the upload of every place that needs
   * them, under one blob slot (grouped-transfer.ts); other repositories of a place mount from there.
   * A target whose upload fails fails alone (its session cancelled), retried alone when that may help.
   */
  copyToMany(source: ContentRepository, targets: readonly BlobTarget[], blob: Descriptor): Array<Promise<BlobOutcome>> {
    const leads = new Map<number, BlobTarget>();
    const places = new Set<string>();
    targets.forEach((target, i) => {
      if (this.#intoRepository.has(`${target.repo.place}/${target.repo.name}|${blob.digest}`) || places.has(target.repo.place)) return;
      places.add(target.repo.place);
      leads.set(i, target);
    });
    if (leads.size < 2) return targets.map(({ repo, caller }) => this.copy(source, repo, blob, caller));
    const leading = [...leads.values()];
    // Other copies streaming this blob into these places go first: then a HEAD or a mount finds it.
    const earlier = leading.map(({ repo }) => this.#streaming.get(`${repo.place}|${blob.digest}`));
    const group = this.#copyGrouped(source, leading, blob, earlier);
    const outcomes = new Map<number, Promise<BlobOutcome>>();
    [...leads.keys()].forEach((index, j) => {
      const { repo } = leading[j] as BlobTarget;
      const work = group.then((settled) => {
        const mine = settled[j] as PromiseSettledResult<BlobOutcome>;
        if (mine.status === 'rejected') throw mine.reason;
        return mine.value;
      });
      const key = `${repo.place}/${repo.name}|${blob.digest}`;
      this.#intoRepository.set(key, work);
      const placeKey = `${repo.place}|${blob.digest}`;
      if (this.#locations.repositories(repo.place, blob.digest).length === 0) this.#streaming.set(placeKey, work);
      const forget = () => {
        this.#intoRepository.delete(key);
        if (this.#streaming.get(placeKey) === work) this.#streaming.delete(placeKey);
      };
      work.then(forget, forget);
      outcomes.set(index, work);
    });
    return targets.map(({ repo, caller }, i) => outcomes.get(i) ?? this.copy(source, repo, blob, caller));
  }

  async #copyGrouped(
    source: ContentRepository,
    targets: readonly BlobTarget[],
    blob: Descriptor,
    earlier: ReadonlyArray<Promise<BlobOutcome> | undefined>,
  ): Promise<Array<PromiseSettledResult<BlobOutcome>>> {
    for (const running of earlier) await running?.catch(() => undefined);
    return this.#options.limiter.run(async () => {
      const results = await sendToMany({
        source,
        blob,
        targets,
        progressStepBytes: this.#options.progressStepBytes,
        prepare: async ({ repo, caller }) => {
          const ready = await this.#prepare(source, repo, blob, caller);
          return 'kind' in ready ? ready : (ready.session ?? (await repo.startUpload()));
        },
        alone: (target, session, failed) => this.#alone(source, target, blob, session, failed),
      });
      results.forEach((result, i) => {
        const { repo } = targets[i] as BlobTarget;
        if (result.status === 'fulfilled') this.#locations.remember(repo.place, blob.digest, repo.name);
      });
      return results;
    }, blob.size);
  }

  /** A target of a grouped copy on its own: the only one needing bytes, or its share failed (`failed`) and may be retried alone. */
  async #alone(
    source: ContentRepository,
    target: BlobTarget,
    blob: Descriptor,
    session: BlobUpload,
    failed: unknown,
  ): Promise<BlobOutcome> {
    if (failed === undefined) return streamBlob(source, target.repo, blob, target.caller, session, this.#options);
    await session.cancel();
    // The target failed elsewhere: its branch was cut for that, not worth a retry.
    const stop = target.caller.signal;
    if (stop?.aborted) throw stop.reason;
    if (!(failed instanceof TransferFailure) || !failed.transient || this.#options.attempts < 2) throw unwrap(failed);
    await pauseBeforeRetry(failed, failed.side === 'source' ? source : target.repo, blob, 1, target.caller);
    return streamBlob(source, target.repo, blob, target.caller, undefined, this.#options);
  }

  /** A manifest PUT named a blob missing from `repository`: what this process saw there is stale. */
  forgetRepository(place: string, repository: string): void {
    this.#locations.forgetRepository(place, repository);
  }

  /**
   * Across repositories of one place the bytes travel once: while one copy may be streaming
   * them, the others wait, then find the blob (HEAD) or mount it from where it landed.
   */
  async #copyIntoRepository(
    source: ContentRepository,
    target: ContentRepository,
    blob: Descriptor,
    caller: BlobCaller,
  ): Promise<BlobOutcome> {
    const key = `${target.place}|${blob.digest}`;
    for (let running = this.#streaming.get(key); running; running = this.#streaming.get(key)) await running.catch(() => undefined);
    // Biggest first: a large layer started late would run alone at the end of a run.
    const work = this.#options.limiter.run(async () => {
      const outcome = await this.#copyOnce(source, target, blob, caller);
      // Recorded before anyone waiting on this copy resumes, so they can mount from here.
      this.#locations.remember(target.place, blob.digest, target.name);
      await caller.shared?.sighted(target.place, blob.digest, target.name).catch(() => undefined);
      return outcome;
    }, blob.size);
    if (this.#locations.repositories(target.place, blob.digest).length === 0) {
      // Nobody is known to hold it at this place: this copy may stream, the others wait for it.
      this.#streaming.set(key, work);
      const done = () => {
        if (this.#streaming.get(key) === work) this.#streaming.delete(key);
      };
      work.then(done, done);
    }
    return work;
  }

  /** Where a mount could come from: none where the target cannot mount (a layout holds one set of blobs). */
  #mountCandidates(source: ContentRepository, target: ContentRepository, digest: string): string[] {
    if (!target.mountBlob) return [];
    const known = this.#locations.repositories(target.place, digest).filter((r) => r !== target.name);
    if (source.place === target.place && source.name !== target.name) known.unshift(source.name);
    return [...new Set(known)];
  }

  async #copyOnce(source: ContentRepository, target: ContentRepository, blob: Descriptor, caller: BlobCaller): Promise<BlobOutcome> {
    // Its copy failed while this blob waited for a slot: nothing to do for it.
    if (caller.signal?.aborted) throw caller.signal.reason;
    // The mounts this copy of the blob asked for: none twice (the shared step reads the sightings again).
    const tried = new Set<string>();
    const prepared = await this.#prepare(source, target, blob, caller, tried);
    if ('kind' in prepared) return prepared;
    if (!caller.shared || !target.mountBlob) return streamBlob(source, target, blob, caller, prepared.session, this.#options);
    return uploadShared({
      target,
      blob,
      caller,
      shared: caller.shared,
      session: prepared.session,
      mountFrom: (candidates, session) => this.#mountFrom(candidates, target, blob, caller, session, tried),
      stream: (session) => streamBlob(source, target, blob, caller, session, this.#options),
    });
  }

  /** Already there, or mounted: the outcome; else the upload a refused mount opened, if any (the bytes must travel). */
  async #prepare(
    source: ContentRepository,
    target: ContentRepository,
    blob: Descriptor,
    caller: BlobCaller,
    tried = new Set<string>(),
  ): Promise<BlobOutcome | { session: BlobUpload | undefined }> {
    const { emit, targetName } = caller;
    const event = { target: targetName, digest: blob.digest, size: blob.size };
    // Every request costs the registry too (a HEAD is ~3 ms of its CPU on a small machine): what
    // this process saw spares them. Known here: nothing to ask. Known elsewhere in this registry:
    // the mount is the check (201 also when the repository had it already). Unknown: HEAD first.
    const known = this.#locations.has(target.place, blob.digest, target.name);
    const candidates = known
      ? []
      : [...new Set([...this.#mountCandidates(source, target, blob.digest), ...(await sharedSightings(caller, target, blob.digest))])];
    if (known || (candidates.length === 0 && (await target.headBlob(blob.digest, blob.size)) !== undefined)) {
      emit({ type: 'blob-skipped', ...event, time: Date.now() });
      return { kind: 'skipped' };
    }
    return this.#mountFrom(candidates, target, blob, caller, undefined, tried);
  }

  /**
   * Mounted from one of `candidates` (newest sightings first; those in `tried` are skipped, and no
   * more than MOUNT_ATTEMPTS are asked for): the outcome; else the upload a refused mount opened,
   * if any (`opened` is kept or replaced).
   */
  async #mountFrom(
    candidates: readonly string[],
    target: ContentRepository,
    blob: Descriptor,
    caller: BlobCaller,
    opened: BlobUpload | undefined,
    tried: Set<string>,
  ): Promise<BlobOutcome | { session: BlobUpload | undefined }> {
    const { emit, targetName } = caller;
    const event = { target: targetName, digest: blob.digest, size: blob.size };
    let session = opened;
    let asked = 0;
    for (const from of candidates) {
      if (!target.mountBlob || asked >= MOUNT_ATTEMPTS) break;
      if (tried.has(from)) continue;
      tried.add(from);
      asked++;
      let result: 'mounted' | BlobUpload;
      try {
        result = await target.mountBlob(blob.digest, from);
      } catch (error) {
        // A mount is an optimisation: refused (no pull right on `from`, mounts disabled, a 404 or
        // 5xx), the bytes are streamed instead, as go-containerregistry and regclient do.
        const cancelled = CancelledError.ifAborted([target.signal], `blob ${blob.digest} to ${targetName}`, error);
        if (cancelled) throw cancelled;
        emit({ type: 'blob-mount-failed', ...event, from, reason: errorMessage(error), time: Date.now() });
        continue;
      }
      if (result === 'mounted') {
        if (session) await session.cancel();
        emit({ type: 'blob-mounted', ...event, from, time: Date.now() });
        return { kind: 'mounted', from };
      }
      if (session) await session.cancel();
      session = result;
    }
    return { session };
  }
}

const unwrap = (failed: unknown): unknown => (failed instanceof TransferFailure ? failed.error : failed);
