import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PictureBookConfig } from '../config/index.js';
import type { CopyEngine, CopyEvent, CopyTask } from '../copy/index.js';
import { CancelledError, errorInfo, PictureBookError } from '../errors/index.js';
import { parseReference } from '../reference/index.js';
import { BlobClaims } from './blob-claims.js';
import { taskOf, type CopyJobData, type CopyJobProgress, type CopyJobResult } from './copy-job.js';
import type { QueueSettingsWithUrl } from './copy-queue.js';
import { HostSlots, type HostSlot } from './host-slots.js';
import { preciseNow } from './precise-clock.js';
import { ProgressBatches } from './progress-batches.js';
import type { QueueEventListener } from './queue-events.js';
import { resultChannel } from './queue-names.js';
import type { ResultMessage } from './result-message.js';
import { RunListings } from './run-listings.js';
import { setAsideDelay, type HeardCancels } from './set-aside.js';
import { TargetClaims } from './target-claims.js';

/**
 * A job's events reach `sync` at most this often as progress (its live view and logs lag by as
 * much); those of a copy's last moments travel in its result. Every update is a Lua script, a
 * stream entry and a wake-up of `sync`; one per event kept Redis and the worker's connection busy,
 * and a job's end waited behind them.
 */
export const PROGRESS_GAP_MS = 250;

export interface CopyJobRunnerOptions {
  settings: QueueSettingsWithUrl;
  /** Where the worker finds how to reach each registry (credentials never travel in the queue). */
  config: () => PictureBookConfig;
  engine: Pick<CopyEngine, 'copy'>;
  emit: QueueEventListener;
  /**
   * Opens a job that carries its own endpoints (a distribute copy): its task, and `release` to
   * call once it ended (forgets its secrets). Absent: such jobs fail, naming why.
   */
  openEndpoints?: (data: CopyJobData, signal: AbortSignal) => Promise<{ task: CopyTask; release: () => void }>;
  /** Least time between two progress updates of one job (default `PROGRESS_GAP_MS`; tests use 0 to see every update). */
  progressGapMs?: number;
  /** The worker's connection for claims, slots and results (its owner closes it). */
  redis: Redis;
  /** Whether Redis answers now (shared blob uploads are skipped while it does not). */
  reachable: () => boolean;
  /** The worker's name in events. */
  name: string;
  /** Lease of a source host slot: how long a killed worker's slot stays taken. */
  stalledMs: number;
  /** Jobs whose cancel the worker heard while they were set aside. */
  cancelled: HeardCancels;
}

/**
 * Runs one copy job a worker took, once it has a copy slot: its task (from the worker's config,
 * or the endpoints it carries), a source host slot when the host is limited (else it is set
 * aside), the copy on the worker's engine with every event sent back numbered, then its result,
 * sent straight to `sync` and returned to BullMQ.
 */
export class CopyJobRunner {
  #options: CopyJobRunnerOptions;
  #claims: TargetClaims;
  #blobs: BlobClaims;
  #slots: HostSlots;
  #listings = new RunListings();

  constructor(options: CopyJobRunnerOptions) {
    this.#options = options;
    this.#claims = new TargetClaims(options.redis, options.settings);
    this.#blobs = new BlobClaims(options.redis, options.settings, options.reachable);
    // A killed worker's source slot lapses when its job would go to another worker.
    this.#slots = new HostSlots(options.redis, options.settings, options.stalledMs);
  }

  /**
   * The copy of a job that has a slot (`heldMs`: how long it waited for it, taken ahead). A job
   * set aside or handed back throws (BullMQ's DelayedError, or a CancelledError when the worker
   * stops); every other end is its result.
   */
  async run(
    job: Job<CopyJobData, CopyJobResult>,
    token: string | undefined,
    controller: AbortController,
    heldMs: number,
  ): Promise<CopyJobResult> {
    const { data } = job;
    const id = job.id ?? '';
    const emit = this.#options.emit;
    // Nothing of ours comes between a free slot and this line. The pickup before it is BullMQ's:
    // each add puts back its one marker in Redis, which wakes one blocked BullMQ worker, whose
    // take is a Redis round trip; on busy cores the woken process first waits for a core (a
    // run's first jobs, taken together); a job taken ahead waited for the slot (`heldMs`).
    // One cancelled while it waited for a slot never took one: it ends cancelled, not taken.
    if (!controller.signal.aborted)
      emit({
        type: 'copy-job-taken',
        worker: this.#options.name,
        job: id,
        registry: data.registry,
        source: data.source,
        target: data.target,
        attempt: job.attemptsMade + 1,
        heldMs: Math.round(heldMs * 1000) / 1000,
        preciseTime: preciseNow(),
        time: Date.now(),
      });
    // Progress is sent in order, numbered; what is not known stored when the copy ends goes in the result.
    const attempt = job.attemptsStarted;
    const progress = new ProgressBatches<CopyEvent>(
      ({ first, items }) => job.updateProgress({ worker: this.#options.name, events: items, attempt, first } satisfies CopyJobProgress),
      { gapMs: this.#options.progressGapMs ?? PROGRESS_GAP_MS },
    );
    const onEvent = (event: CopyEvent): void => progress.push(event);
    let result: CopyJobResult;
    let slot: HostSlot | undefined;
    let release = (): void => undefined;
    try {
      const opened = await this.#open(data, controller.signal);
      const task = opened.task;
      release = opened.release;
      slot = await this.#sourceSlot(job, token, this.#options.config().queue?.sourceCopies, controller.signal);
      const claim = (digest: string): ReturnType<TargetClaims['hold']> =>
        this.#claims.hold(data.target, digest, controller.signal, () =>
          emit({
            type: 'copy-job-waiting',
            worker: this.#options.name,
            job: id,
            registry: data.registry,
            target: data.target,
            digest,
            time: Date.now(),
          }),
        );
      result = {
        status: 'done',
        result: await this.#options.engine.copy(task, {
          signal: controller.signal,
          onEvent,
          claim,
          sharedBlobs: this.#blobs,
          // The run's listings on this worker, as an in-process run shares its own between its copies.
          tagListings: this.#listings.of(data.listings),
        }),
      };
    } catch (error) {
      if (error instanceof DelayedError) throw error; // set aside (#sourceSlot): BullMQ takes it again later
      if (controller.signal.aborted && controller.signal.reason === 'worker-stopping') {
        // No result to carry them: the events go as progress before the job goes back to the queue.
        const copyEnded = preciseNow();
        await progress.sent();
        this.#ended(job, 'interrupted', preciseNow() - copyEnded);
        // Thrown, so BullMQ hands the job to another worker (it has JOB_ATTEMPTS tries).
        throw new CancelledError(`${data.target}: worker ${this.#options.name} stopped; the copy goes back to the queue`);
      }
      if (error instanceof CancelledError) result = { status: 'cancelled' };
      else {
        const info = errorInfo(error);
        // A job this worker could not even start (its config lacks the registry) failed before the engine said so.
        if (info.code === 'QUEUE')
          onEvent({ type: 'image-failed', source: data.source, target: data.target, error: info, time: Date.now() });
        result = { status: 'failed', error: info };
      }
    } finally {
      slot?.release();
      release();
    }
    // The result carries the events not yet stored: the job ends without waiting for their round trip.
    const copyEnded = preciseNow();
    const { first, items } = progress.take();
    // A platform filter's skip is a skip to whoever counts job endings.
    const ended = result.status === 'done' ? result.result.status : result.status;
    const answer: CopyJobResult = items.length > 0 ? { ...result, trailing: { attempt, first, items } } : result;
    const resultReady = preciseNow();
    // The result goes before the log line: its write (a pipe, a file) and the wake-up of whoever reads it come after.
    this.#publish({ job: id, attempt, stored: first, result: answer });
    this.#ended(job, ended === 'platform-skipped' ? 'skipped' : ended, resultReady - copyEnded, resultReady);
    return answer;
  }

  /**
   * Sends the result straight to `sync` (result-message.ts), before BullMQ's finish script on the
   * same connection: `sync` learns of the end one hop after it, not after the script and its
   * stream. Lost (Redis down, `sync` not listening): the completed event still brings it.
   */
  #publish(message: ResultMessage): void {
    void this.#options.redis.publish(resultChannel(this.#options.settings), JSON.stringify(message)).catch(() => undefined);
  }

  /**
   * Before a copy reads its source: one of the host's `queue.sourceCopies` slots, shared by every
   * worker (none to take without a limit for the host). A 429 pause another worker stored for the
   * host is already in this worker's gates (`SharedPauses`): the copy's requests wait for it.
   * All the host's slots taken: the job is set aside (BullMQ's delayed set, no try counted) and
   * this worker's slot takes other jobs meanwhile; it comes back after `setAsideDelay` (twice
   * as long each time it is refused again, bounded). A cancel heard meanwhile
   * cancels it when it comes back.
   */
  async #sourceSlot(
    job: Job<CopyJobData, CopyJobResult>,
    token: string | undefined,
    limits: Record<string, number> | undefined,
    signal: AbortSignal,
  ): Promise<HostSlot | undefined> {
    const { data } = job;
    const id = job.id ?? '';
    const host = parseReference(data.source).registry;
    if (signal.aborted || this.#options.cancelled.has(id)) throw new CancelledError(`${data.target}: cancelled`);
    const limit = limits?.[host];
    if (limit === undefined) return undefined;
    const slot = await this.#slots.tryTake(host, limit);
    if (slot) return slot;
    const { asides, delayMs: delay } = setAsideDelay(job);
    if (asides === 0)
      this.#options.emit({
        type: 'host-slot-waiting',
        worker: this.#options.name,
        job: id,
        host,
        limit,
        target: data.target,
        time: Date.now(),
      });
    await job.moveToDelayed(Date.now() + delay, token);
    this.#ended(job, 'set-aside', 0);
    throw new DelayedError(`${data.target}: ${host} has its ${limit} copy slots taken; set aside for ${delay} ms`);
  }

  /** The job's task: from this worker's config, or from the endpoints the job carries. */
  async #open(data: CopyJobData, signal: AbortSignal): Promise<{ task: CopyTask; release: () => void }> {
    if (data.endpoints === undefined) return { task: taskOf(data, this.#options.config()), release: () => undefined };
    if (!this.#options.openEndpoints)
      throw new PictureBookError('QUEUE', `${data.target}: this worker cannot run a copy that carries its endpoints`);
    return this.#options.openEndpoints(data, signal);
  }

  /**
   * `progressWaitMs`: from the copy's end to the result ready to go with its last events (it no
   * longer waits for them to be stored as progress; a stopping worker's copy still does). `at`:
   * when the result was ready (the line's `preciseTime`; default now).
   */
  #ended(
    job: Job<CopyJobData, CopyJobResult>,
    status: 'copied' | 'skipped' | 'failed' | 'cancelled' | 'interrupted' | 'set-aside',
    progressWaitMs: number,
    at = preciseNow(),
  ): void {
    this.#options.emit({
      type: 'copy-job-ended',
      worker: this.#options.name,
      job: job.id ?? '',
      registry: job.data.registry,
      target: job.data.target,
      status,
      progressWaitMs: Math.round(progressWaitMs * 1000) / 1000,
      preciseTime: at,
      time: Date.now(),
    });
  }
}
