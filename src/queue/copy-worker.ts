import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import type { Job } from 'bullmq';
import type { PictureBookConfig } from '../config/index.js';
import type { CopyEngine, CopyEvent, CopyTask } from '../copy/index.js';
import { CancelledError, errorInfo, PictureBookError } from '../errors/index.js';
import { taskOf, type CopyJobData, type CopyJobProgress, type CopyJobResult } from './copy-job.js';
import { MAX_STALLS, type QueueSettingsWithUrl } from './copy-queue.js';
import type { QueueEventListener } from './queue-events.js';
import { cancelChannel, COPY_QUEUE } from './queue-names.js';
import { redisOptions } from './redis-connection.js';
import { RedisWatch } from './redis-watch.js';
import { withinGrace } from '../copy/grace-period.js';
import { BlobClaims } from './blob-claims.js';
import { TargetClaims } from './target-claims.js';
import { HostSlots, type HostSlot } from './host-slots.js';
import { SharedPauses, type PausableHosts } from './shared-pauses.js';
import { parseReference } from '../reference/index.js';
import { ProgressBatches } from './progress-batches.js';
import { SlotWorkers } from './slot-workers.js';

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
}

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
  #claims: TargetClaims;
  #slots: HostSlots;
  #pauses: SharedPauses | undefined;
  #listening = false;

  constructor(options: CopyWorkerOptions) {
    this.#options = options;
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    const { settings } = options;
    const stalledMs = settings.stalledSeconds * 1000;
    // One BullMQ worker per copy slot: a job starts as soon as it is taken (slot-workers.ts).
    this.#worker = new SlotWorkers<CopyJobData, CopyJobResult>(
      COPY_QUEUE,
      (job) => this.#process(job),
      {
        connection: redisOptions(settings.url),
        prefix: settings.name,
        slots: options.concurrency,
        lockDuration: stalledMs,
        stalledInterval: stalledMs,
        maxStalledCount: MAX_STALLS,
      },
      () => undefined, // the watch reports the outage once
    );
    this.#watch = new RedisWatch(settings.url, 'worker', options.emit);
    this.#claims = new TargetClaims(this.#watch.redis, settings);
    // A killed worker's source slot lapses when its job would go to another worker.
    this.#slots = new HostSlots(this.#watch.redis, settings, stalledMs);
    if (options.hosts) this.#pauses = new SharedPauses(this.#watch.redis, settings, options.hosts, this.name, options.emit);
    this.#subscriber = this.#watch.redis.duplicate();
    this.#subscriber.on('error', () => undefined);
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#pauses?.channel) this.#pauses.heard(message);
      else this.#running.get(message)?.abort('cancelled' satisfies AbortReason);
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
      time: Date.now(),
    });
  }

  /**
   * Takes no more jobs; the running ones get `graceMs` to finish, then are handed back to the
   * queue (another worker runs them again).
   */
  async stop(graceMs: number, hurry?: AbortSignal): Promise<void> {
    this.#listening = false;
    const closing = this.#worker.close();
    await withinGrace(closing, graceMs, hurry);
    for (const controller of this.#running.values()) controller.abort('worker-stopping' satisfies AbortReason);
    await closing;
    this.#pauses?.close();
    await Promise.all([this.#subscriber.quit().catch(() => this.#subscriber.disconnect()), this.#watch.close()]);
  }

  /** Subscribes (again: a no-op when the reconnection did), then loads the pauses stored meanwhile. */
  async #listen(): Promise<void> {
    await this.#subscriber.subscribe(cancelChannel(this.#options.settings), ...(this.#pauses ? [this.#pauses.channel] : []));
    await this.#pauses?.load();
  }

  async #process(job: Job<CopyJobData, CopyJobResult>): Promise<CopyJobResult> {
    const { data } = job;
    const id = job.id ?? '';
    const emit = this.#options.emit;
    // Nothing of ours comes between BullMQ handing the job over and this line. The pickup before it
    // is BullMQ's: `sync`'s add wakes one waiting slot (one marker in Redis however many jobs were
    // added), whose take wakes the next: jobs added at once are taken one after another, a Redis
    // round trip and a process wake-up each; a slot that ends a job takes the next in the same call.
    emit({
      type: 'copy-job-taken',
      worker: this.name,
      job: id,
      registry: data.registry,
      source: data.source,
      target: data.target,
      attempt: job.attemptsMade + 1,
      time: Date.now(),
    });
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // every request of the copy listens on it
    this.#running.set(id, controller);
    // Progress is sent in order, numbered; what is not known stored when the copy ends goes in the result.
    const attempt = job.attemptsStarted;
    const progress = new ProgressBatches<CopyEvent>(({ first, items }) =>
      job.updateProgress({ worker: this.name, events: items, attempt, first } satisfies CopyJobProgress),
    );
    const onEvent = (event: CopyEvent): void => progress.push(event);
    let result: CopyJobResult;
    let slot: HostSlot | undefined;
    let release = (): void => undefined;
    try {
      const opened = await this.#open(data, controller.signal);
      const task = opened.task;
      release = opened.release;
      slot = await this.#sourceSlot(id, data, this.#options.config().queue?.sourceCopies, controller.signal);
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
      const sharedBlobs = new BlobClaims(this.#watch.redis, this.#options.settings, () => this.reachable);
      result = {
        status: 'done',
        result: await this.#options.engine.copy(task, { signal: controller.signal, onEvent, claim, sharedBlobs }),
      };
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason === 'worker-stopping') {
        // No result to carry them: the events go as progress before the job goes back to the queue.
        const copyEnded = Date.now();
        await progress.sent();
        this.#ended(job, 'interrupted', Date.now() - copyEnded);
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
    const copyEnded = Date.now();
    const { first, items } = progress.take();
    // A platform filter's skip is a skip to whoever counts job endings.
    const ended = result.status === 'done' ? result.result.status : result.status;
    this.#ended(job, ended === 'platform-skipped' ? 'skipped' : ended, Date.now() - copyEnded);
    return items.length > 0 ? { ...result, trailing: { attempt, first, items } } : result;
  }

  /**
   * Before a copy reads its source: one of the host's `queue.sourceCopies` slots, shared by every
   * worker (none to take without a limit for the host). A 429 pause another worker stored for the
   * host is already in this worker's gates (`SharedPauses`): the copy's requests wait for it.
   */
  async #sourceSlot(
    job: string,
    data: CopyJobData,
    limits: Record<string, number> | undefined,
    signal: AbortSignal,
  ): Promise<HostSlot | undefined> {
    const host = parseReference(data.source).registry;
    const limit = limits?.[host];
    if (limit === undefined) return undefined;
    return this.#slots.take(host, limit, signal, () =>
      this.#options.emit({ type: 'host-slot-waiting', worker: this.name, job, host, limit, target: data.target, time: Date.now() }),
    );
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
    status: 'copied' | 'skipped' | 'failed' | 'cancelled' | 'interrupted',
    progressWaitMs: number,
  ): void {
    this.#options.emit({
      type: 'copy-job-ended',
      worker: this.name,
      job: job.id ?? '',
      registry: job.data.registry,
      target: job.data.target,
      status,
      progressWaitMs,
      time: Date.now(),
    });
  }
}
