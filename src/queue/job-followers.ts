import type { CopyEvent, CopyRunOptions } from '../copy/index.js';
import type { CopyJobData, CopyJobResult } from './copy-job.js';
import { JobEventOrder } from './job-event-order.js';

/** One caller waiting for a copy job: its events go to `run.onEvent`, its end settles the promise. */
export interface Follower {
  data: CopyJobData;
  run: CopyRunOptions;
  /** The job it follows (set by `follow`). */
  jobId?: string;
  /** Its job was in Redis once (a stop from then on removes the job it follows). */
  added: boolean;
  /**
   * The job it follows is being added (again, after Redis lost it: `added` stays): until Redis
   * answers, a lookup that finds nothing means "not yet", not "lost".
   */
  adding?: boolean;
  /** When its job was handed to Redis. */
  queuedAt?: number;
  resolve: (result: CopyJobResult) => void;
  reject: (error: Error) => void;
  /** Called once when it ends (removes its abort listeners). */
  done?: () => void;
}

/**
 * Who waits for which job. Several callers may follow one job (the same copy asked for twice
 * while queued or running); each is settled once, whichever of the job's event or a lookup comes first.
 */
export class JobFollowers {
  #byJob = new Map<string, Set<Follower>>();
  #orders = new Map<string, JobEventOrder<CopyEvent>>();

  /** `follower` now follows `jobId` (and no longer the job it followed before). */
  follow(jobId: string, follower: Follower): void {
    if (follower.jobId !== jobId) this.#leave(follower);
    follower.jobId = jobId;
    const set = this.#byJob.get(jobId) ?? new Set<Follower>();
    set.add(follower);
    this.#byJob.set(jobId, set);
  }

  /** Another caller here follows `follower`'s job too (the same copy asked twice). */
  isShared(follower: Follower): boolean {
    return follower.jobId !== undefined && (this.#byJob.get(follower.jobId)?.size ?? 0) > 1;
  }

  of(jobId: string): Follower[] {
    return [...(this.#byJob.get(jobId) ?? [])];
  }

  /** The order of a followed job's events (none for a job nobody here follows: another server's). */
  order(jobId: string): JobEventOrder<CopyEvent> | undefined {
    if (!this.#byJob.has(jobId)) return undefined;
    let order = this.#orders.get(jobId);
    if (!order) this.#orders.set(jobId, (order = new JobEventOrder<CopyEvent>()));
    return order;
  }

  jobIds(): string[] {
    return [...this.#byJob.keys()];
  }

  /** Stops following `jobId`; answers who followed it (to be given another job). */
  release(jobId: string): Follower[] {
    const followers = this.of(jobId);
    this.#byJob.delete(jobId);
    this.#orders.delete(jobId);
    for (const follower of followers) follower.jobId = undefined;
    return followers;
  }

  /** `follower` alone stops following its job and ends with `result`; the others go on following it. */
  settleOne(follower: Follower, result: CopyJobResult): void {
    this.#leave(follower);
    follower.jobId = undefined;
    follower.done?.();
    follower.resolve(result);
  }

  /** Takes `follower` off its job's list; a job nobody follows any more is forgotten (its own id, found taken by another job of the same copy). */
  #leave(follower: Follower): void {
    if (follower.jobId === undefined) return;
    const left = this.#byJob.get(follower.jobId);
    left?.delete(follower);
    if (left?.size === 0) {
      this.#byJob.delete(follower.jobId);
      this.#orders.delete(follower.jobId);
    }
  }

  settle(jobId: string, result: CopyJobResult): void {
    for (const follower of this.release(jobId)) {
      follower.done?.();
      follower.resolve(result);
    }
  }

  fail(jobId: string, error: Error): void {
    for (const follower of this.release(jobId)) {
      follower.done?.();
      follower.reject(error);
    }
  }

  failAll(error: Error): void {
    for (const jobId of this.jobIds()) this.fail(jobId, error);
  }
}
