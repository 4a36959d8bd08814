import type { Numbered } from './progress-batches.js';

/**
 * One copy job's events as they reach `sync`: numbered by the worker, from its progress updates and
 * (the last ones, not yet known stored when the copy ended) from its result. Each event is applied
 * once and in order: one already applied is dropped, one that comes early waits for those before it.
 * A job tried again (its worker stopped or was lost) starts over at 0 with a higher `attempt`; a
 * late update of an earlier attempt is dropped.
 */
export class JobEventOrder<T> {
  #attempt = 0;
  #next = 0;
  #early = new Map<number, T>();

  /** A batch of attempt `attempt`: answers the events to apply now, in order. */
  add(attempt: number, batch: Numbered<T>): T[] {
    if (attempt < this.#attempt) return [];
    if (attempt > this.#attempt) {
      this.#attempt = attempt;
      this.#next = 0;
      this.#early.clear();
    }
    batch.items.forEach((item, i) => {
      const number = batch.first + i;
      if (number >= this.#next) this.#early.set(number, item);
    });
    const ready: T[] = [];
    for (let item = this.#early.get(this.#next); item !== undefined; item = this.#early.get(this.#next)) {
      ready.push(item);
      this.#early.delete(this.#next);
      this.#next++;
    }
    return ready;
  }

  /**
   * Whether every event of attempt `attempt` before number `count` was applied: a result whose
   * events start at `count` can be applied now without passing over one still on its way.
   */
  caughtUp(attempt: number, count: number): boolean {
    if (attempt < this.#attempt) return false;
    if (attempt > this.#attempt) return count === 0;
    return this.#next >= count;
  }

  /** The job ended: whatever still waits for a missing event (lost in Redis), in order, past the gap. */
  end(): T[] {
    const rest = [...this.#early.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
    this.#early.clear();
    return rest;
  }
}
