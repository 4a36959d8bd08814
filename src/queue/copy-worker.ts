import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { DelayedError, type Job } from 'bullmq';
import type { PictureBookConfig } from '../config/index.js';
import type { CopyEngine, CopyEvent, CopyTask } from '../copy/index.js';
import { CancelledError, errorInfo, PictureBookError } from '../errors/index.js';
import { taskOf, type CopyJobData, type CopyJobProgress, type CopyJobResult } from './copy-job.js';
import { MAX_STALLS, type QueueSettingsWithUrl } from './copy-queue.js';
import type { QueueEventListener } from './queue-events.js';
import { cancelChannel, COPY_QUEUE, resultChannel } from './queue-names.js';
import type { ResultMessage } from './result-message.js';
import { RedisWatch } from './redis-watch.js';
import { withinGrace } from '../copy/grace-period.js';
import { BlobClaims } from './blob-claims.js';
import { TargetClaims } from './target-claims.js';
import { HostSlots, type HostSlot } from './host-slots.js';
import { SharedPauses, type PausableHosts } from './shared-pauses.js';
import { parseReference } from '../reference/index.js';
import { ProgressBatches } from './progress-batches.js';
import { SlotWorkers } from './slot-workers.js';
import { HeardCancels, setAsideDelay } from './set-aside.js';
import { preciseNow } from './precise-clock.js';
import { SlotGate } from './slot-gate.js';

export interface CopyWorkerOptions {
  settings: QueueSettingsWithUrl;
  /** Where the worker finds how to reach each registry (credentials never travel in the queue). */
  config: () => PictureBookConfig;
  engine: Pick<CopyEngine, 'copy'>;
  /** The engine's host gates: a 429 it gets pauses the host for every worker, and theirs pause it here (none: not shared). */
  hosts?: PausableHosts;
  /** Copy jobs at once (the engine's own limits apply below it). */
  concurrency: number;
  emit: QueueEventListener;
  /**
   * Opens a job that carries its own endpoints (a distribute copy): its task, and `release` to
   * call once it ended (forgets its secrets). Absent: such jobs fail, naming why.
   */
  openEndpoints?: (data: CopyJobData, signal: AbortSignal) => Promise<{ task: CopyTask; release: () => void }>;
  /** This worker's name in events and logs (default: host and process id). */
  name?: string;
  /** Least time between two progress updates of one job (default `PROGRESS_GAP_MS`; tests use 0 to see every update). */
  progressGapMs?: number;
  /** Jobs taken ahead of a free slot (default `PREFETCH`; 0: a job is taken only when a slot is free). */
  prefetch?: number;
  /** How long a job taken ahead may wait for a slot before it goes back to the queue (default `HOLD_LIMIT_MS`). */
  holdLimitMs?: number;
}

/**
 * A job's events reach `sync` at most this often as progress (its live view and logs lag by as
 * much); those of a copy's last moments travel in its result. Every update is a Lua script, a
 * stream entry and a wake-up of `sync`; one per event kept Redis and the worker's connection busy,
 * and a job's end waited behind them.
 */
export const PROGRESS_GAP_MS = 250;

/**
 * Jobs a worker holds beyond its slots, waiting for one (slot-gate.ts): a copy's end starts the
 * next at once, where a slot that took its next job only then waited a Redis round trip (the
 * finish script that also takes the next job), and longer on a loaded machine. One is enough
 * for that; each more only keeps a job from an idle worker for longer.
 */
export const PREFETCH = 1;

/**
 * A job taken ahead that waited this long for a slot goes back to the queue, where an idle worker
 * takes it; the slot that held it takes no other until one of this worker's copies ends. Long
 * enough for the worker's own slots to turn over in a run of small images (the case prefetch is
 * for), short against the copies of large ones it would otherwise wait behind.
 */
export const HOLD_LIMIT_MS = 1000;

/** Why a copy was aborted: the `sync` that asked for it stopped it, or this worker is stopping (the job goes to another). */
type AbortReason = 'cancelled' | 'worker-stopping';

/**
 * `picture-book worker`: takes copy jobs from the queue and runs them on its own engine. Every
 * event of a copy goes back numbered, as the job's progress or (those not yet stored when the copy
 * ended) in its result; `sync` applies each once, in order, before the result. A worker killed
 * mid-copy leaves its job locked until `stalledSeconds` pass; another worker then takes it again
 * from the start (the copy is idempotent, and the manifest is written last, so no tag ever
 * pointed at the incomplete content).
 */
export class CopyWorker {
  readonly name: string;
  #options: CopyWorkerOptions;
  #worker: SlotWorkers<CopyJobData, CopyJobResult>;
  #watch: RedisWatch;
  #subscriber: RedisWatch['redis'];
  #running = new Map<string, AbortController>();
  /** Jobs taken ahead, waiting for a copy slot. */
  #held = new Map<string, AbortController>();
  /** The processing of the jobs this worker holds, until it returns or throws. */
  #jobs = new Set<Promise<unknown>>();
  /** Jobs whose cancel this worker heard (a job set aside is not running: it is cancelled when it comes back). */
  #cancelled = new HeardCancels();
  #claims: TargetClaims;
  #blobs: BlobClaims;
  #slots: HostSlots;
  #pauses: SharedPauses | undefined;
  #listening = false;
  #gate: SlotGate;
  /** Jobs held beyond the copy slots (`prefetch`, default `PREFETCH`). */
  #prefetch: number;
  /** Set by `stop`: a job taken from now on, or still waiting for a slot, goes back to the queue unstarted. */
  #stopping = false;

  constructor(options: CopyWorkerOptions) {
    this.#options = options;
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.#prefetch = options.prefetch ?? PREFETCH;
    const { settings } = options;
    const stalledMs = settings.stalledSeconds * 1000;
    this.#watch = new RedisWatch(settings.url, 'worker', options.emit);
    // One BullMQ worker per job held: a job starts as soon as it is taken and a copy slot is free
    // (slot-workers.ts, slot-gate.ts). They share the watch's connection for their commands: one
    // more connection per job held, not two.
    // A copy ended with no job waiting for its slot: slots that handed a job back take again.
    this.#gate = new SlotGate(options.concurrency, () => {
      if (!this.#stopping) this.#worker.resume();
    });
    this.#worker = new SlotWorkers<CopyJobData, CopyJobResult>(
      COPY_QUEUE,
      (job, token, slot) => this.#tracked(this.#process(job, token, slot)),
      {
        connection: this.#watch.redis,
        prefix: settings.name,
        slots: options.concurrency + this.#prefetch,
        lockDuration: stalledMs,
        stalledInterval: stalledMs,
        maxStalledCount: MAX_STALLS,
      },
      () => undefined, // the watch reports the outage once
    );
    this.#claims = new TargetClaims(this.#watch.redis, settings);
    this.#blobs = new BlobClaims(this.#watch.redis, settings, () => this.reachable);
    // A killed worker's source slot lapses when its job would go to another worker.
    this.#slots = new HostSlots(this.#watch.redis, settings, stalledMs);
    if (options.hosts) this.#pauses = new SharedPauses(this.#watch.redis, settings, options.hosts, this.name, options.emit);
    this.#subscriber = this.#watch.redis.duplicate();
    this.#subscriber.on('error', () => undefined);
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#pauses?.channel) this.#pauses.heard(message);
      else this.#cancel(message);
    });
    // Reconnected: pauses announced while the subscription was down are loaded once it is back.
    this.#subscriber.on('ready', () => {
      if (this.#listening) void this.#listen().catch(() => undefined);
    });
  }

  get reachable(): boolean {
    return this.#watch.reachable;
  }

  /** Starts taking jobs; resolves once connected. */
  async start(): Promise<void> {
    await this.#listen();
    this.#listening = true;
    await this.#worker.start();
    this.#options.emit({
      type: 'worker-ready',
      worker: this.name,
      queue: this.#options.settings.name,
      concurrency: this.#options.concurrency,
      prefetch: this.#prefetch,
      time: Date.now(),
    });
  }

  /**
   * Takes no more jobs; the running ones get `graceMs` to finish, then are handed back to the
   * queue (another worker runs them again). Redis unreachable, BullMQ's close would wait for it
   * (the jobs' ends, its connections' goodbyes) for ever: the worker then drops its connections
   * ('abandoned'; BullMQ's loops may still try to reconnect: the process should exit); its jobs
   * go to another worker once their locks lapse.
   */
  async stop(graceMs: number, hurry?: AbortSignal): Promise<'closed' | 'abandoned'> {
    this.#listening = false;
    // Jobs not started yet go back to the queue at once: no grace to wait for, another worker starts them.
    this.#stopping = true;
    for (const controller of this.#held.values()) controller.abort('worker-stopping' satisfies AbortReason);
    const closing = this.#worker.close();
    // The grace ends early when the copies under way ended (Redis gone, `closing` would not).
    await withinGrace(Promise.race([closing, Promise.allSettled([...this.#jobs])]), graceMs, hurry);
    const running = this.#running.size;
    for (const controller of this.#running.values()) controller.abort('worker-stopping' satisfies AbortReason);
    this.#pauses?.close();
    const closed = await Promise.race([closing.then(() => true), this.#watch.unreachable().then(() => false)]);
    if (closed) {
      await Promise.all([this.#subscriber.quit().catch(() => this.#subscriber.disconnect()), this.#watch.close()]);
      return 'closed';
    }
    this.#options.emit({ type: 'queue-abandoned', role: 'worker', jobs: running, time: Date.now() });
    this.#worker.disconnect();
    this.#subscriber.disconnect();
    this.#watch.redis.disconnect();
    return 'abandoned';
  }

  /** Subscribes (again: a no-op when the reconnection did), then loads the pauses stored meanwhile. */
  async #listen(): Promise<void> {
    await this.#subscriber.subscribe(cancelChannel(this.#options.settings), ...(this.#pauses ? [this.#pauses.channel] : []));
    await this.#pauses?.load();
  }

  #cancel(job: string): void {
    this.#running.get(job)?.abort('cancelled' satisfies AbortReason);
    this.#cancelled.add(job);
  }

  #tracked<T>(processing: Promise<T>): Promise<T> {
    this.#jobs.add(processing);
    const forget = (): void => void this.#jobs.delete(processing);
    processing.then(forget, forget);
    return processing;
  }

  /**
   * A job BullMQ handed over (on BullMQ worker `slot`) waits for a copy slot (taken ahead: the
   * worker's slots are all busy), then runs. A cancel while it waits ends it cancelled, without a
   * copy. A stop, or a wait past the hold limit, hands it back to the queue unstarted (no try
   * counted), for another worker.
   */
  async #process(job: Job<CopyJobData, CopyJobResult>, token: string | undefined, slot: number): Promise<CopyJobResult> {
    const id = job.id ?? '';
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // every request of the copy listens on it
    this.#running.set(id, controller);
    this.#held.set(id, controller);
    if (this.#stopping) controller.abort('worker-stopping' satisfies AbortReason);
    // A free slot: no wait at all (heldMs 0), not even a turn of the event loop.
    let release = controller.signal.aborted ? undefined : this.#gate.tryTake();
    const heldFrom = release ? undefined : preciseNow();
    if (!release) {
      const held = AbortSignal.timeout(this.#options.holdLimitMs ?? HOLD_LIMIT_MS);
      release = await this.#gate.take(AbortSignal.any([controller.signal, held]));
    }
    if (release === undefined && !controller.signal.aborted) {
      if (await this.#handBack(job, token, slot, 'held')) throw new DelayedError(`${job.data.target}: held too long; back to the queue`);
      release = await this.#gate.take(controller.signal);
    }
    this.#held.delete(id);
    try {
      if (controller.signal.reason === 'worker-stopping' && (await this.#handBack(job, token, slot, 'stopping')))
        throw new DelayedError(`${job.data.target}: worker ${this.name} stopped before it started the copy; back to the queue`);
      return await this.#run(job, token, controller, heldFrom === undefined ? 0 : preciseNow() - heldFrom);
    } finally {
      release?.();
    }
  }

  /**
   * Puts a job not started back in the queue (BullMQ's delayed set, due at once; no try counted).
   * Its BullMQ worker is paused first, so that it does not take that job again at once: it takes
   * again when one of this worker's copies ends (or never, stopping). False: Redis refused.
   */
  async #handBack(
    job: Job<CopyJobData, CopyJobResult>,
    token: string | undefined,
    slot: number,
    why: 'held' | 'stopping',
  ): Promise<boolean> {
    const id = job.id ?? '';
    await this.#worker.pause(slot);
    try {
      await job.moveToDelayed(Date.now(), token);
    } catch {
      if (!this.#stopping) this.#worker.resume();
      return false;
    }
    this.#running.delete(id);
    this.#held.delete(id);
    this.#options.emit({ type: 'copy-job-returned', worker: this.name, job: id, target: job.data.target, why, time: Date.now() });
    return true;
  }

  async #run(
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
        worker: this.name,
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
      ({ first, items }) => job.updateProgress({ worker: this.name, events: items, attempt, first } satisfies CopyJobProgress),
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
            worker: this.name,
            job: id,
            registry: data.registry,
            target: data.target,
            digest,
            time: Date.now(),
          }),
        );
      result = {
        status: 'done',
        result: await this.#options.engine.copy(task, { signal: controller.signal, onEvent, claim, sharedBlobs: this.#blobs }),
      };
    } catch (error) {
      if (error instanceof DelayedError) throw error; // set aside (#sourceSlot): BullMQ takes it again later
      if (controller.signal.aborted && controller.signal.reason === 'worker-stopping') {
        // No result to carry them: the events go as progress before the job goes back to the queue.
        const copyEnded = preciseNow();
        await progress.sent();
        this.#ended(job, 'interrupted', preciseNow() - copyEnded);
        // Thrown, so BullMQ hands the job to another worker (it has JOB_ATTEMPTS tries).
        throw new CancelledError(`${data.target}: worker ${this.name} stopped; the copy goes back to the queue`);
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
      this.#running.delete(id);
    }
    // The result carries the events not yet stored: the job ends without waiting for their round trip.
    const copyEnded = preciseNow();
    const { first, items } = progress.take();
    // A platform filter's skip is a skip to whoever counts job endings.
    const ended = result.status === 'done' ? result.result.status : result.status;
    this.#ended(job, ended === 'platform-skipped' ? 'skipped' : ended, preciseNow() - copyEnded);
    const answer: CopyJobResult = items.length > 0 ? { ...result, trailing: { attempt, first, items } } : result;
    this.#publish({ job: id, attempt, stored: first, result: answer });
    return answer;
  }

  /**
   * Sends the result straight to `sync` (result-message.ts), before BullMQ's finish script on the
   * same connection: `sync` learns of the end one hop after it, not after the script and its
   * stream. Lost (Redis down, `sync` not listening): the completed event still brings it.
   */
  #publish(message: ResultMessage): void {
    void this.#watch.redis.publish(resultChannel(this.#options.settings), JSON.stringify(message)).catch(() => undefined);
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
    if (signal.aborted || this.#cancelled.has(id)) throw new CancelledError(`${data.target}: cancelled`);
    const limit = limits?.[host];
    if (limit === undefined) return undefined;
    const slot = await this.#slots.tryTake(host, limit);
    if (slot) return slot;
    const { asides, delayMs: delay } = setAsideDelay(job);
    if (asides === 0)
      this.#options.emit({ type: 'host-slot-waiting', worker: this.name, job: id, host, limit, target: data.target, time: Date.now() });
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
   * longer waits for them to be stored as progress; a stopping worker's copy still does).
   */
  #ended(
    job: Job<CopyJobData, CopyJobResult>,
    status: 'copied' | 'skipped' | 'failed' | 'cancelled' | 'interrupted' | 'set-aside',
    progressWaitMs: number,
  ): void {
    this.#options.emit({
      type: 'copy-job-ended',
      worker: this.name,
      job: job.id ?? '',
      registry: job.data.registry,
      target: job.data.target,
      status,
      progressWaitMs: Math.round(progressWaitMs * 1000) / 1000,
      preciseTime: preciseNow(),
      time: Date.now(),
    });
  }
}
