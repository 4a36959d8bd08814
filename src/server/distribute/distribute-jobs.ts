import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { CopyEngine, CopyResult, CopyRunOptions } from '../../copy/index.js';
import type { CopyJobData } from '../../queue/copy-job.js';
import { ApiError } from '../api-error.js';
import { distributeJobData, queueKeyProblem } from './queued-copy.js';
import { Limiter } from '../../copy/index.js';
import { CancelledError, errorInfo } from '../../errors/index.js';
import { processScrubber, type SecretScrubber } from '../../errors/secret-scrubber.js';
import { CRASH_LIMIT, crashReason, type JobRecord, type JobTargetResult, type RunStore } from '../../store/index.js';
import type { ServiceEvent } from '../service-events.js';
import { addressPolicy, type AddressPolicy } from './address-policy.js';
import { parseEndpoint } from './endpoint-address.js';
import { endpointOptions, type EndpointContext } from './endpoint-options.js';
import { distributeRequestSchema, imageReference, type DistributeRequest, type DistributeTarget } from './request-schema.js';
import { jobSecrets, scrubRequest } from './scrub-request.js';
import { withinGrace } from '../../copy/grace-period.js';

export interface DistributeJobsOptions {
  store: RunStore;
  engine: Pick<CopyEngine, 'copy'>;
  emit: (event: ServiceEvent) => void;
  /** Jobs running at once; each copies to its targets in parallel through the shared engine. */
  concurrency?: number;
  /** Where jobs may connect (read when a job starts: a reload applies to the next one). Default: loopback and public addresses. */
  addressPolicy?: () => AddressPolicy;
  /**
   * Scale-out: each target copy becomes a queue job a worker runs, its credentials sealed with
   * `queueKey` (without one, a request with credentials is refused). Absent: copies run here.
   */
  queue?: { copyJob: (data: CopyJobData, run: CopyRunOptions) => Promise<CopyResult>; key: Buffer | undefined };
  /** Knows a job's credentials while it runs, so that no message quotes them. Default: the process's. */
  scrubber?: SecretScrubber;
  now?: () => number;
}

/**
 * Distribute jobs: one source image to several targets, tracked in the store from QUEUED to
 * FINISHED or FAILED. A job interrupted by a stop goes back to the queue; `recover` runs what a
 * previous process left QUEUED or RUNNING, skipping the targets it had already finished.
 */
export class DistributeJobs {
  #options: DistributeJobsOptions;
  #limiter: Limiter;
  #stopping = new AbortController();
  /**
   * Aborted when the stop begins: from then on no waiting job starts, even if a slot frees up,
   * and no target copy of a running job starts (the engine is told through its `drain`).
   */
  #closing = new AbortController();
  #running = new Set<Promise<void>>();

  constructor(options: DistributeJobsOptions) {
    this.#options = options;
    this.#limiter = new Limiter(options.concurrency ?? 2);
    // Every request of every job listens on these: far more than Node's default of 10 (MaxListenersExceededWarning).
    setMaxListeners(0, this.#stopping.signal, this.#closing.signal);
  }

  /** Records a validated request as a QUEUED job and starts it when a slot is free. */
  async submit(request: DistributeRequest): Promise<string> {
    const { queue } = this.#options;
    const refused = queue ? queueKeyProblem(request, queue.key) : undefined;
    if (refused) throw new ApiError(400, 'QUEUE_KEY_MISSING', refused);
    const id = randomUUID();
    await this.#options.store.createJob(id, request, this.#now());
    this.#options.emit({ type: 'job-queued', id, targets: request.targets.length, time: this.#now() });
    this.#enqueue(id);
    return id;
  }

  /**
   * Queues again every job a previous process did not end, except those running when a process
   * died CRASH_LIMIT times: they may be what kills it, so they end FAILED with the reason.
   */
  async recover(): Promise<string[]> {
    const crashed = await this.#options.store.countCrashedJobs();
    for (const { id, crashes } of crashed) if (crashes >= CRASH_LIMIT) await this.#failCrashLoop(id, crashes);
    const jobs = await this.#options.store.recoverableJobs();
    for (const job of jobs) this.#enqueue(job.id);
    if (jobs.length > 0) this.#options.emit({ type: 'jobs-recovered', ids: jobs.map((j) => j.id), time: this.#now() });
    return jobs.map((j) => j.id);
  }

  /** Resolves when no job is running or waiting. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  /** Takes no more jobs; running ones get `graceMs`, then are aborted and put back in the queue. */
  async stop(graceMs: number, hurry?: AbortSignal): Promise<void> {
    this.#closing.abort();
    const stopping = this.#stopping;
    // Running jobs get the grace period (none: abort at once); waiting ones stay queued (#closing).
    const idle = this.idle();
    await withinGrace(idle, graceMs, hurry);
    stopping.abort();
    await idle;
  }

  #enqueue(id: string): void {
    const work = this.#limiter
      .run(() => this.#run(id))
      .catch((error: unknown) => {
        this.#options.emit({ type: 'server-warning', message: `distribute job ${id}: ${errorInfo(error).message}`, time: this.#now() });
      });
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work));
  }

  async #run(id: string): Promise<void> {
    const signal = this.#stopping.signal;
    if (signal.aborted || this.#closing.signal.aborted) return; // stays QUEUED in the store for the next start
    const { store } = this.#options;
    const job = await store.getJob(id);
    if (!job || (job.state !== 'QUEUED' && job.state !== 'RUNNING')) return;
    const parsed = distributeRequestSchema.safeParse(job.request);
    await store.startJob(id, this.#now());
    if (!parsed.success) return this.#reject(id, `the stored request is no longer valid: ${parsed.error.message}`);
    const request = parsed.data;
    const scrubber = this.#options.scrubber ?? processScrubber;
    const held = [scrubber.addAll(jobSecrets(request))];
    try {
      await this.#execute(job, request, signal, (secret) => held.push(scrubber.add(secret)));
    } finally {
      for (const release of held) release();
    }
  }

  async #execute(job: JobRecord, request: DistributeRequest, signal: AbortSignal, keepSecret: (secret: string) => void): Promise<void> {
    const { store, emit } = this.#options;
    const id = job.id;
    emit({ type: 'job-started', id, time: this.#now() });
    const { results, interrupted } = await this.#copyToTargets(job, request, signal, keepSecret);
    if (interrupted) {
      await store.requeueJob(id);
      emit({ type: 'job-requeued', id, time: this.#now() });
      return;
    }
    const state = [...job.targets, ...results].some((r) => r.outcome === 'failed') ? 'FAILED' : 'FINISHED';
    await store.finishJob(id, state, this.#now(), scrubRequest(request));
    emit({ type: 'job-finished', id, state, time: this.#now() });
  }

  /** Every target not yet done fails with the reason; the job ends FAILED without its credentials. */
  async #failCrashLoop(id: string, crashes: number): Promise<void> {
    const { store, emit } = this.#options;
    const job = await store.getJob(id);
    if (!job) return;
    const parsed = distributeRequestSchema.safeParse(job.request);
    const done = new Set(job.targets.map((t) => t.endpoint));
    const pending = parsed.success ? parsed.data.targets.filter((t) => !done.has(t.endpoint)).map((t) => t.endpoint) : [''];
    const error = { code: 'CRASH_LOOP', message: crashReason(crashes) };
    for (const endpoint of pending) await store.recordJobTarget(id, { endpoint, outcome: 'failed', error });
    await store.finishJob(id, 'FAILED', this.#now(), parsed.success ? scrubRequest(parsed.data) : '***');
    emit({ type: 'work-not-resumed', kind: 'job', id, crashes, time: this.#now() });
    emit({ type: 'job-finished', id, state: 'FAILED', time: this.#now() });
  }

  /** A job that cannot run at all (a stored request this version cannot read) ends FAILED. */
  async #reject(id: string, message: string): Promise<void> {
    await this.#options.store.recordJobTarget(id, { endpoint: '', outcome: 'failed', error: { code: 'JOB_INVALID', message } });
    await this.#options.store.finishJob(id, 'FAILED', this.#now(), '***');
    this.#options.emit({ type: 'job-finished', id, state: 'FAILED', time: this.#now() });
  }

  /**
   * Copies to the targets not yet done; results are recorded as each one ends. `interrupted`: a
   * stop aborted a target or kept it from starting, so the job must run again, not end.
   */
  async #copyToTargets(
    job: JobRecord,
    request: DistributeRequest,
    signal: AbortSignal,
    keepSecret: (secret: string) => void,
  ): Promise<{ results: JobTargetResult[]; interrupted: boolean }> {
    const done = new Set(job.targets.map((t) => t.endpoint));
    const pending = request.targets.filter((t) => !done.has(t.endpoint));
    const sourceAddress = parseEndpoint(request.source.endpoint);
    const source = imageReference(sourceAddress.host, request.source.image, request.source.ref);
    const policy = this.#options.addressPolicy?.() ?? addressPolicy(undefined);
    const context = { signal, policy, keepSecret };
    // Through the queue, each worker reaches the source itself (its token, its address checks).
    const sourceEndpoint = this.#options.queue ? undefined : endpointOptions(request.source, sourceAddress, context);
    sourceEndpoint?.catch(() => undefined); // awaited per target below; one failure reported on each
    const results = await Promise.all(
      pending.map(async (target): Promise<JobTargetResult | undefined> => {
        const result = await this.#copyTo(target, source, request, sourceEndpoint, context);
        if (result === undefined || (signal.aborted && result.outcome === 'failed')) return undefined; // interrupted, not failed: runs again
        await this.#options.store.recordJobTarget(job.id, result);
        this.#options.emit({ type: 'job-target-finished', id: job.id, ...result, time: this.#now() });
        return result;
      }),
    );
    const recorded = results.filter((r): r is JobTargetResult => r !== undefined);
    return { results: recorded, interrupted: signal.aborted || recorded.length < results.length };
  }

  /** The target's result; undefined when the stop cancelled it (it runs again with the job). */
  async #copyTo(
    target: DistributeTarget,
    source: string,
    request: DistributeRequest,
    sourceEndpoint: ReturnType<typeof endpointOptions> | undefined,
    context: EndpointContext,
  ): Promise<JobTargetResult | undefined> {
    const signal = context.signal;
    try {
      const address = parseEndpoint(target.endpoint);
      const copy = { source, target: imageReference(address.host, request.source.image, request.source.ref), force: target.overwrite };
      const { queue } = this.#options;
      if (queue) {
        // A worker builds the endpoints (and checks the addresses again with its own policy).
        const done = await queue.copyJob(distributeJobData(queue.key, copy, request.source, target), {
          signal,
          drain: this.#closing.signal,
        });
        return { endpoint: target.endpoint, outcome: done.status === 'skipped' ? 'skipped' : 'finished' };
      }
      const [pull, push] = await Promise.all([
        sourceEndpoint ?? endpointOptions(request.source, parseEndpoint(request.source.endpoint), context),
        endpointOptions(target, address, context),
      ]);
      const done = await this.#options.engine.copy(
        { ...copy, sourceEndpoint: pull, targetEndpoint: push },
        { signal, drain: this.#closing.signal },
      );
      return { endpoint: target.endpoint, outcome: done.status === 'skipped' ? 'skipped' : 'finished' };
    } catch (error) {
      if (error instanceof CancelledError) return undefined;
      return { endpoint: target.endpoint, outcome: 'failed', error: errorInfo(error) };
    }
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
