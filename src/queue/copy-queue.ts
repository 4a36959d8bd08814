import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { QueueSettings } from '../config/index.js';
import type { CopyEvent, CopyResult, CopyRunOptions, CopyTask } from '../copy/index.js';
import { CancelledError, PictureBookError, type ErrorCode } from '../errors/index.js';
import { jobData, type CopyJobData, type CopyJobProgress, type CopyJobResult } from './copy-job.js';
import { JobFollowers, type Follower } from './job-followers.js';
import { preciseNow } from './precise-clock.js';
import { jobStates } from './job-states.js';
import { deduplicationId } from './job-id.js';
import type { QueueEventListener } from './queue-events.js';
import { cancelChannel, COPY_QUEUE, resultChannel } from './queue-names.js';
import { parseResultMessage, type ResultMessage } from './result-message.js';
import { redisOptions } from './redis-connection.js';
import { RedisWatch } from './redis-watch.js';

/** Tries of one job: a worker that stops (SIGTERM) hands its copies back, each hand-back is a try. */
export const JOB_ATTEMPTS = 10;
/** Times a job may lose its worker (kill -9, a cut network) before it fails. */
export const MAX_STALLS = 3;
/** Ended jobs stay this long, so a caller that missed the end event still reads the result. */
const KEEP_ENDED_SECONDS = 3_600;
/** How often the jobs followed are looked up in Redis, besides their events (a missed event, Redis restarted). */
const CHECK_EVERY_MS = 5_000;

export type QueueSettingsWithUrl = QueueSettings & { url: string };

/**
 * The `sync` side of the queue: each copy becomes one BullMQ job that a `picture-book worker`
 * runs; its events come back as the job's progress, its result as the job's return value. The
 * caller sees what it would see from the engine: the same events, result and errors.
 */
export class CopyQueue {
  readonly settings: QueueSettingsWithUrl;
  #queue: Queue<CopyJobData, CopyJobResult>;
  #events: QueueEvents;
  #watch: RedisWatch;
  /** Hears the results workers publish (result-message.ts). */
  #results: RedisWatch['redis'];
  /** Published results that came before some of their job's stored progress: applied once it came. */
  #early = new Map<string, ResultMessage>();
  #followers = new JobFollowers();
  #emit: QueueEventListener;
  #timer: NodeJS.Timeout;
  #checking = false;

  /** `checkEveryMs`: how often `check` runs (tests run it themselves). */
  constructor(settings: QueueSettingsWithUrl, emit: QueueEventListener, timing: { checkEveryMs?: number } = {}) {
    this.settings = settings;
    this.#emit = emit;
    const connection = redisOptions(settings.url);
    this.#queue = new Queue<CopyJobData, CopyJobResult>(COPY_QUEUE, { connection, prefix: settings.name });
    this.#events = new QueueEvents(COPY_QUEUE, { connection, prefix: settings.name });
    // Connection problems are reported once by the watch; BullMQ's own (the same outage) are not repeated.
    this.#queue.on('error', () => undefined);
    this.#events.on('error', () => undefined);
    this.#watch = new RedisWatch(settings.url, 'sync', emit);
    this.#events.on('progress', ({ jobId, data }) => this.#progress(jobId, data as unknown as CopyJobProgress));
    // The completed event carries the job's return value: no lookup of the job after it.
    this.#events.on('completed', ({ jobId, returnvalue }) => this.#completed(jobId, returnvalue as unknown as CopyJobResult));
    this.#events.on('failed', ({ jobId, failedReason }) => this.#failed(jobId, failedReason));
    this.#events.on('removed', ({ jobId }) => {
      this.#early.delete(jobId);
      this.#followers.settle(jobId, { status: 'cancelled' });
    });
    this.#events.on('stalled', ({ jobId }) => {
      const follower = this.#followers.of(jobId)[0];
      if (follower)
        this.#emit({
          type: 'copy-job-stalled',
          job: jobId,
          registry: follower.data.registry,
          target: follower.data.target,
          time: Date.now(),
        });
    });
    this.#results = this.#watch.redis.duplicate();
    this.#results.on('error', () => undefined);
    this.#results.on('message', (_channel: string, message: string) => this.#published(message));
    this.#timer = setInterval(() => void this.check(), timing.checkEveryMs ?? CHECK_EVERY_MS).unref();
  }

  /** Whether Redis answers (the health endpoint says so). */
  get reachable(): boolean {
    return this.#watch.reachable;
  }

  /** Resolves when Redis cannot be reached: now, or at its next loss. */
  unreachable(): Promise<void> {
    return this.#watch.unreachable();
  }

  /**
   * Gives up on Redis (the server stops while it cannot be reached): every copy followed ends here
   * cancelled (a job still in Redis may yet be copied by a worker once Redis is back: the copy is
   * idempotent) and every connection is dropped, so what still waits for Redis fails at once
   * instead of waiting for ever. Returns how many jobs were followed.
   */
  abandon(): number {
    clearInterval(this.#timer);
    const jobs = this.#followers.jobIds().length;
    this.#followers.failAll(new CancelledError("cancelled: the server stops and the queue's Redis cannot be reached"));
    this.#early.clear();
    for (const bullmq of [this.#queue, this.#events]) void bullmq.disconnect().catch(() => undefined);
    this.#results.disconnect();
    this.#watch.redis.disconnect();
    return jobs;
  }

  /** The Redis connection of claims and messages (schedule claims share it). */
  get redis(): RedisWatch['redis'] {
    return this.#watch.redis;
  }

  /** Resolves once the event reader is connected: jobs added from then on are followed from their first event. */
  async ready(): Promise<void> {
    await Promise.all([this.#queue.waitUntilReady(), this.#events.waitUntilReady(), this.#results.subscribe(resultChannel(this.settings))]);
  }

  /**
   * Copies `task` (an image of the registries entry `registry`) on a worker: resolves with the
   * worker's result, or throws its error (a CancelledError when the copy was stopped).
   */
  async copy(registry: string, task: CopyTask, run: CopyRunOptions = {}): Promise<CopyResult> {
    return this.copyJob(jobData(registry, task, run.tagListings?.id), run);
  }

  /** As `copy`, for a job whose data the caller made (a distribute copy carries its endpoints). */
  async copyJob(data: CopyJobData, run: CopyRunOptions = {}): Promise<CopyResult> {
    const task = data;
    let cancelledSaid = false;
    const onEvent = (event: CopyEvent): void => {
      if (event.type === 'image-cancelled') cancelledSaid = true;
      run.onEvent?.(event);
    };
    const cancelled = (): CancelledError => {
      // Withdrawn before any worker took it: the event the engine would have sent for a copy that never started.
      if (!cancelledSaid) onEvent({ type: 'image-cancelled', source: task.source, target: task.target, started: false, time: Date.now() });
      return new CancelledError(`${task.target}: cancelled, the run is stopping`);
    };
    if (run.signal?.aborted || run.drain?.aborted) throw cancelled();
    const answer = await this.#run(data, { ...run, onEvent });
    if (answer.status === 'done') return answer.result;
    if (answer.status === 'failed') throw new PictureBookError(answer.error.code as ErrorCode, answer.error.message);
    throw cancelled();
  }

  #run(data: CopyJobData, run: CopyRunOptions): Promise<CopyJobResult> {
    return new Promise<CopyJobResult>((resolve, reject) => {
      const follower: Follower = { data, run, added: false, resolve, reject };
      const onDrain = (): void => void this.#withdraw(follower, 'drain');
      const onAbort = (): void => {
        // Another caller here follows the same job (the same copy asked twice): it goes on for them.
        const shared = this.#followers.isShared(follower);
        void this.#withdraw(follower, 'stop');
        if (!shared) void this.#watch.redis.publish(cancelChannel(this.settings), follower.jobId ?? '').catch(() => undefined);
      };
      run.drain?.addEventListener('abort', onDrain, { once: true });
      run.signal?.addEventListener('abort', onAbort, { once: true });
      follower.done = () => {
        run.drain?.removeEventListener('abort', onDrain);
        run.signal?.removeEventListener('abort', onAbort);
      };
      void this.#add(follower);
    });
  }

  /** Adds the job (or finds the one already queued for the same copy) and follows it. */
  async #add(follower: Follower): Promise<void> {
    const id = randomUUID();
    follower.adding = true;
    this.#followers.follow(id, follower);
    follower.queuedAt = preciseNow();
    try {
      const job = await this.#queue.add('copy', follower.data, {
        jobId: id,
        deduplication: { id: deduplicationId(follower.data) },
        attempts: JOB_ATTEMPTS,
        removeOnComplete: { age: KEEP_ENDED_SECONDS },
        removeOnFail: { age: KEEP_ENDED_SECONDS },
      });
      follower.added = true;
      follower.adding = false;
      // Another caller's job for the same copy is under way: follow that one, which may have ended already.
      if (job.id !== undefined && job.id !== id) this.#followers.follow(job.id, follower);
      // Stopped while the add was on its way: the stop found nothing to withdraw then.
      const stopped = follower.run.signal?.aborted ? 'stop' : follower.run.drain?.aborted ? 'drain' : undefined;
      if (stopped) await this.#withdraw(follower, stopped);
      else if (job.id !== undefined && job.id !== id) await this.#checkJob(job.id);
    } catch (error) {
      follower.adding = false;
      this.#followers.fail(id, error instanceof Error ? error : queueError(String(error)));
    }
  }

  /**
   * A stop before the copy began: the job leaves the queue unless a worker already has it. A job
   * another caller here follows too stays for them: a `stop` ends this caller alone, cancelled; a
   * `drain` (a pause: what was started ends) lets it end with the copy that goes on anyway. One
   * still being added is withdrawn once Redis has it (#add).
   */
  async #withdraw(follower: Follower, why: 'stop' | 'drain'): Promise<void> {
    if (follower.jobId === undefined || !follower.added) return;
    if (this.#followers.isShared(follower)) {
      if (why === 'stop') this.#followers.settleOne(follower, { status: 'cancelled' });
      return;
    }
    const removed = await this.#queue.remove(follower.jobId).catch(() => 0);
    if (removed > 0) this.#followers.settle(follower.jobId, { status: 'cancelled' });
  }

  /**
   * Every followed job as Redis has it: an end whose event was missed, a job Redis lost (added
   * again). The states of all of them in one round trip (per 500), then one read of each ended job.
   */
  async check(): Promise<void> {
    // Redis down: one lookup waits for it, the next ones are not piled up behind it.
    if (this.#checking) return;
    this.#checking = true;
    try {
      const ids = this.#followers.jobIds().filter((id) => this.#followers.of(id).some(inRedis));
      if (ids.length === 0) return;
      const states = await jobStates(this.#watch.redis, this.#queue.toKey, ids);
      await Promise.all(ids.map((id, i) => this.#act(id, states[i]).catch(() => undefined)));
    } catch {
      // The next look tries again.
    } finally {
      this.#checking = false;
    }
  }

  async #checkJob(jobId: string): Promise<void> {
    const [state] = await jobStates(this.#watch.redis, this.#queue.toKey, [jobId]);
    await this.#act(jobId, state);
  }

  /** What a job's state says about it: its end read (the event was missed), or it is added again (Redis lost it). */
  async #act(jobId: string, state: string | undefined): Promise<void> {
    const followers = this.#followers.of(jobId).filter(inRedis);
    if (followers.length === 0) return;
    if (state === 'completed' || state === 'failed') {
      const job = await this.#queue.getJob(jobId);
      if (!job) return;
      if (state === 'completed') this.#completed(jobId, job.returnvalue);
      else this.#failed(jobId, job.failedReason);
    } else if (state === 'unknown') {
      // Gone without an end: Redis restarted without its data. The copy is idempotent: add it again.
      const [first] = followers;
      if (first)
        this.#emit({ type: 'copy-job-lost', job: jobId, registry: first.data.registry, target: first.data.target, time: Date.now() });
      this.#early.delete(jobId);
      for (const follower of this.#followers.release(jobId)) void this.#add(follower);
    }
  }

  /** A progress update: its events, each once and in order (an older worker's unnumbered ones as they come). */
  #progress(jobId: string, progress: CopyJobProgress): void {
    const events = progress.events ?? (progress.event ? [progress.event] : []);
    if (progress.attempt === undefined || progress.first === undefined) this.#deliver(jobId, events);
    else this.#deliver(jobId, this.#followers.order(jobId)?.add(progress.attempt, { first: progress.first, items: events }) ?? []);
    const early = this.#early.get(jobId);
    if (early && this.#followers.order(jobId)?.caughtUp(early.attempt, early.stored)) this.#completed(jobId, early.result);
  }

  /**
   * A result a worker published: applied at once when every event stored before it was applied
   * (the usual case: the last progress went long before the end); otherwise once the progress
   * still in the stream came, or by the completed event, which comes after it. Other servers'
   * jobs are not followed here: nothing to do.
   */
  #published(text: string): void {
    const message = parseResultMessage(text);
    if (!message || this.#followers.of(message.job).length === 0) return;
    if (this.#followers.order(message.job)?.caughtUp(message.attempt, message.stored)) this.#completed(message.job, message.result);
    else this.#early.set(message.job, message);
  }

  /** The job's end: the last events its result carries (those progress did not bring), then the result. */
  #completed(jobId: string, result: CopyJobResult): void {
    this.#early.delete(jobId);
    this.#seen(jobId);
    const order = this.#followers.order(jobId);
    if (order) this.#deliver(jobId, [...(result.trailing ? order.add(result.trailing.attempt, result.trailing) : []), ...order.end()]);
    this.#followers.settle(jobId, result);
  }

  #failed(jobId: string, reason: string): void {
    this.#early.delete(jobId);
    this.#seen(jobId);
    this.#deliver(jobId, this.#followers.order(jobId)?.end() ?? []);
    this.#followers.fail(jobId, queueError(reason));
  }

  #deliver(jobId: string, events: readonly CopyEvent[]): void {
    if (events.length === 0) return;
    for (const follower of this.#followers.of(jobId)) for (const event of events) follower.run.onEvent?.(event);
  }

  /** Says that a followed job's end reached this side (the bench measures the queue's own time from it). */
  #seen(jobId: string): void {
    const follower = this.#followers.of(jobId)[0];
    if (follower?.queuedAt === undefined) return;
    const { registry, target } = follower.data;
    const preciseTime = preciseNow();
    this.#emit({ type: 'copy-job-result-seen', job: jobId, registry, target, queuedAt: follower.queuedAt, preciseTime, time: Date.now() });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#followers.failAll(new CancelledError('the queue is closing'));
    this.#early.clear();
    await Promise.all([
      this.#events.close(),
      this.#queue.close(),
      this.#watch.close(),
      this.#results.quit().catch(() => this.#results.disconnect()),
    ]);
  }
}

/** Whether the job `follower` follows is in Redis, so a lookup that does not find it means Redis lost it. */
function inRedis(follower: Follower): boolean {
  return follower.added && follower.adding !== true;
}

function queueError(reason: string): PictureBookError {
  return new PictureBookError('QUEUE', `the copy job failed in the queue: ${reason}`);
}
