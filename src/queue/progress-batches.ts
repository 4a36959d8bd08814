/** Items of a job with their place in it: `items[i]` is the job's item number `first + i` (from 0). */
export interface Numbered<T> {
  first: number;
  items: T[];
}

/**
 * Sends a job's events in order, each send one Redis round trip: events that come while a send is
 * on its way go together in the next one, instead of one round trip each, awaited one by one.
 * Every batch says where it starts in the job's events, so the receiver can drop one it has.
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

  /** `send` may reject: those events stay unstored (the result carries them). */
  constructor(send: (batch: Numbered<T>) => Promise<unknown>) {
    this.#send = send;
  }

  push(item: T): void {
    if (this.#taken) return;
    this.#unstored.push(item);
    this.#flushing ??= this.#flush();
  }

  /** Resolves once everything pushed so far was sent (stored or failed). */
  async sent(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** Stops sending; answers the events not known to be stored, numbered. */
  take(): Numbered<T> {
    this.#taken = true;
    return { first: this.#stored, items: [...this.#unstored] };
  }

  async #flush(): Promise<void> {
    while (!this.#taken && this.#next < this.#stored + this.#unstored.length) {
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
}
