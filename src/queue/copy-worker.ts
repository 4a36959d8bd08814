import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { DelayedError, type Job } from 'bullmq';
import { withinGrace } from '../copy/grace-period.js';
import { CopyJobRunner, type CopyJobRunnerOptions } from './copy-job-runner.js';
import type { CopyJobData, CopyJobResult } from './copy-job.js';
import { MAX_STALLS } from './copy-queue.js';
import { preciseNow } from './precise-clock.js';
import { cancelChannel, COPY_QUEUE } from './queue-names.js';
import { RedisWatch } from './redis-watch.js';
import { HeardCancels } from './set-aside.js';
import { SharedPauses, type PausableHosts } from './shared-pauses.js';
import { SlotBalance } from './slot-balance.js';
import { SlotGate } from './slot-gate.js';
import { SlotWorkers } from './slot-workers.js';

/** What `picture-book worker` runs its jobs with (copy-job-runner.ts), and how it takes them. */
export interface CopyWorkerOptions extends Pick<
  CopyJobRunnerOptions,
  'settings' | 'config' | 'engine' | 'emit' | 'openEndpoints' | 'progressGapMs'
> {
  /** The engine's host gates: a 429 it gets pauses the host for every worker, and theirs pause it here (none: not shared). */
  hosts?: PausableHosts;
  /** Copy jobs at once (the engine's own limits apply below it). */
  concurrency: number;
  /** This worker's name in events and logs (default: host and process id). */
  name?: string;
  /** Jobs taken ahead of a free slot (default `defaultPrefetch`: one per slot; 0: a job is taken only when a slot is free). */
  prefetch?: number;
  /** How long a job taken ahead may wait for a slot before it goes back to the queue (default `HOLD_LIMIT_MS`). */
  holdLimitMs?: number;
}

/**
 * Jobs a worker holds beyond its slots, waiting for one (slot-gate.ts), unless told: one per copy
 * slot. A copy's end then starts the next at once, where a slot that took its next job only then
 * waited a Redis round trip (the finish script that also takes the next job), and longer on a
 * loaded machine. One job held in all was not enough: short copies end together (a no-change run,
 * or the images of one repository that waited for one tag listing), and every slot freed but the
 * first waited that round trip (no-change runs on 2 workers x 4 slots: a job's pickup 2.6 to 8.9
 * ms, the median of a run, with one held; under 1 ms with 3 or 4). Each held job may keep a job
 * from an idle worker, for at most the hold limit (below).
 */
export function defaultPrefetch(concurrency: number): number {
  return concurrency;
}

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
  #runner: CopyJobRunner;
  #pauses: SharedPauses | undefined;
  #listening = false;
  #gate: SlotGate;
  /** Jobs held beyond the copy slots (`prefetch`, default `defaultPrefetch`). */
  #prefetch: number;
  /** Set by `stop`: a job taken from now on, or still waiting for a slot, goes back to the queue unstarted. */
  #stopping = false;
  /** Which BullMQ slots without a job wait for one. */
  #balance: SlotBalance;

  constructor(options: CopyWorkerOptions) {
    this.#options = options;
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.#prefetch = options.prefetch ?? defaultPrefetch(options.concurrency);
    const { settings } = options;
    const stalledMs = settings.stalledSeconds * 1000;
    this.#watch = new RedisWatch(settings.url, 'worker', options.emit);
    // One BullMQ worker per job held: a job starts as soon as it is taken and a copy slot is free
    // (slot-workers.ts, slot-gate.ts). They share the watch's connection for their commands: one
    // more connection per job held, not two.
    // A copy ended with no job waiting for its slot: slots that handed a job back may take again.
    this.#gate = new SlotGate(options.concurrency, () => this.#balance.copyEnded());
    const slots = options.concurrency + this.#prefetch;
    this.#worker = new SlotWorkers<CopyJobData, CopyJobResult>(
      COPY_QUEUE,
      (job, token, slot) => this.#tracked(this.#process(job, token, slot)),
      {
        connection: this.#watch.redis,
        prefix: settings.name,
        slots,
        lockDuration: stalledMs,
        stalledInterval: stalledMs,
        maxStalledCount: MAX_STALLS,
      },
      () => undefined, // the watch reports the outage once
    );
    this.#balance = new SlotBalance(this.#worker, this.#gate, this.#prefetch, slots);
    const { config, engine, emit, openEndpoints, progressGapMs } = options;
    this.#runner = new CopyJobRunner({
      settings,
      config,
      engine,
      emit,
      openEndpoints,
      progressGapMs,
      redis: this.#watch.redis,
      reachable: () => this.reachable,
      name: this.name,
      stalledMs,
      cancelled: this.#cancelled,
    });
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
    // Stopped while it waited for Redis: no slot starts.
    if (this.#stopping) return;
    this.#listening = true;
    // Idle: as many slots take jobs as there are copy slots, no more (slot-balance.ts).
    await this.#worker.start(this.#options.concurrency);
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
    this.#balance.stop();
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
    this.#balance.taken(slot);
    try {
      return await this.#holdAndRun(job, token, slot);
    } finally {
      this.#balance.ended(slot);
    }
  }

  async #holdAndRun(job: Job<CopyJobData, CopyJobResult>, token: string | undefined, slot: number): Promise<CopyJobResult> {
    const id = job.id ?? '';
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // every request of the copy listens on it
    this.#running.set(id, controller);
    this.#held.set(id, controller);
    if (this.#stopping) controller.abort('worker-stopping' satisfies AbortReason);
    // A free slot: no wait at all (heldMs 0), not even a turn of the event loop.
    let release = controller.signal.aborted ? undefined : this.#gate.tryTake();
    const heldFrom = release ? undefined : preciseNow();
    const holdLimit = this.#options.holdLimitMs ?? HOLD_LIMIT_MS;
    const taking = release ? undefined : this.#gate.take(AbortSignal.any([controller.signal, AbortSignal.timeout(holdLimit)]));
    // This job has a copy slot or waits in line for one: the BullMQ slots still needed take the rest.
    this.#balance.balance();
    if (taking) release = await taking;
    if (release === undefined && !controller.signal.aborted) {
      if (await this.#handBack(job, token, slot, 'held')) throw new DelayedError(`${job.data.target}: held too long; back to the queue`);
      release = await this.#gate.take(controller.signal);
    }
    this.#held.delete(id);
    try {
      if (controller.signal.reason === 'worker-stopping' && (await this.#handBack(job, token, slot, 'stopping')))
        throw new DelayedError(`${job.data.target}: worker ${this.name} stopped before it started the copy; back to the queue`);
      return await this.#runner.run(job, token, controller, heldFrom === undefined ? 0 : preciseNow() - heldFrom);
    } finally {
      this.#running.delete(id);
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
    await this.#balance.handingBack(slot);
    try {
      await job.moveToDelayed(Date.now(), token);
    } catch {
      this.#balance.keptBack(slot);
      return false;
    }
    this.#running.delete(id);
    this.#held.delete(id);
    this.#options.emit({ type: 'copy-job-returned', worker: this.name, job: id, target: job.data.target, why, time: Date.now() });
    return true;
  }
}
