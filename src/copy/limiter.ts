/**
 * A counting semaphore: at most `limit` functions run at once; the rest wait, highest priority
 * first and in arrival order among equals. One instance per kind of work (images, blobs) is
 * shared by every copy in the process.
 */
export class Limiter {
  #limit: number;
  #active = 0;
  #queue: Array<{ priority: number; start: () => void }> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  async run<T>(fn: () => Promise<T>, priority = 0): Promise<T> {
    const release = await this.acquire(priority);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Takes a slot for work that does not fit one function (it is handed on, say); the returned
   * function gives it back, once: calling it again does nothing.
   */
  async acquire(priority = 0): Promise<() => void> {
    if (this.#active >= this.#limit) await new Promise<void>((start) => this.#enqueue({ priority, start }));
    else this.#active++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = this.#queue.shift();
      // Hand the slot straight to the next waiter so `active` never dips and lets a newcomer jump the queue.
      if (next) next.start();
      else this.#active--;
    };
  }

  /** Behind every waiter of the same or a higher priority (binary search: queues can be long). */
  #enqueue(waiter: { priority: number; start: () => void }): void {
    let low = 0;
    let high = this.#queue.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#queue[mid]?.priority ?? 0) >= waiter.priority) low = mid + 1;
      else high = mid;
    }
    this.#queue.splice(low, 0, waiter);
  }
}
