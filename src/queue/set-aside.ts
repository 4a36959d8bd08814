import type { Job } from 'bullmq';

/** How long a job refused a host slot is set aside at first, and at most. */
const SET_ASIDE_FIRST_MS = 250;
const SET_ASIDE_MAX_MS = 5_000;

/**
 * How often a job was set aside before (takes that counted no try; a stall, rare, counts too) and
 * how long to set it aside now: twice as long each time it is refused again, bounded.
 */
export function setAsideDelay(job: Pick<Job, 'attemptsStarted' | 'attemptsMade'>): { asides: number; delayMs: number } {
  const asides = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
  return { asides, delayMs: Math.min(SET_ASIDE_FIRST_MS * 2 ** Math.min(asides, 10), SET_ASIDE_MAX_MS) };
}

/** Cancelled job ids a worker remembers for the jobs set aside when their cancel came (the latest `kept`). */
export class HeardCancels {
  #ids = new Set<string>();
  readonly #kept: number;

  constructor(kept = 1_000) {
    this.#kept = kept;
  }

  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > this.#kept) this.#ids.delete(this.#ids.values().next().value ?? '');
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }
}
