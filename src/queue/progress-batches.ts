/** Items of a job with their place in it: `items[i]` is the job's item number `first + i` (from 0). */
export interface Numbered<T> {
  first: number;
  items: T[];
}

/**
 * Sends a job's events in order, each send one Redis round trip: events that come while a send is
 * on its way, or less than `gapMs` after it started, go together in the next one. The first event
 * goes at once (the image shows as started); without the gap a copy sent one event per round trip
 * (about 17 per image, each a Lua script, a stream entry and a wake-up of `sync`), and the job's
 * end queued behind them on the worker's connection. Every batch says where it starts in the
 * job's events, so the receiver can drop one it has.
 *
 * `take()` ends the sending and answers every event not yet known to be stored (the one on its
 * way, the pending ones, any whose send failed): the job's result carries them, so the copy's end
 * does not wait for its last progress round trip.
 */
export class ProgressBatches<T> {
  /** Events from number `#stored` on: sent or not, none known to be stored. */
  #unstored: T[] = [];
  /** How many of the job's first events are known stored (a failed send stops it growing). */
  #stored = 0;
  /** Number of the next event to send. */
  #next = 0;
  #failed = false;
  #taken = false;
  #flushing: Promise<void> | undefined;
  #send: (batch: Numbered<T>) => Promise<unknown>;
  #gapMs: number;
  /** When the last send started (`performance.now()`). */
  #lastSendAt = Number.NEGATIVE_INFINITY;
  /** Ends the wait for the gap at once (`sent()`, `take()`). */
  #hurry: (() => void) | undefined;

  /** `send` may reject: those events stay unstored (the result carries them). `gapMs`: least time from one send's start to the next's. */
  constructor(send: (batch: Numbered<T>) => Promise<unknown>, options: { gapMs?: number } = {}) {
    this.#send = send;
    this.#gapMs = options.gapMs ?? 0;
  }

  push(item: T): void {
    if (this.#taken) return;
    this.#unstored.push(item);
    this.#flushing ??= this.#flush();
  }

  /** Resolves once everything pushed so far was sent (stored or failed): from now on without waiting for the gap. */
  async sent(): Promise<void> {
    this.#gapMs = 0;
    this.#hurry?.();
    while (this.#flushing) await this.#flushing;
  }

  /** Stops sending; answers the events not known to be stored, numbered. */
  take(): Numbered<T> {
    this.#taken = true;
    this.#hurry?.();
    return { first: this.#stored, items: [...this.#unstored] };
  }

  async #flush(): Promise<void> {
    while (!this.#taken && this.#next < this.#stored + this.#unstored.length) {
      const wait = this.#lastSendAt + this.#gapMs - performance.now();
      if (wait > 0) {
        await this.#pause(wait);
        continue;
      }
      this.#lastSendAt = performance.now();
      const first = this.#next;
      const batch = this.#unstored.slice(first - this.#stored);
      this.#next = first + batch.length;
      const ok = await this.#send({ first, items: batch }).then(
        () => true,
        () => false,
      );
      if (!ok) this.#failed = true;
      // Stored in order, after all before it: those events need not travel again.
      else if (!this.#failed && first === this.#stored) {
        this.#unstored.splice(0, batch.length);
        this.#stored += batch.length;
      }
    }
    this.#flushing = undefined;
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#hurry = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#hurry = done;
    });
  }
}
