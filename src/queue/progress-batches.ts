/**
 * Sends a job's events in order, each send one Redis round trip: events that come while a send is
 * on its way go together in the next one, instead of one round trip each, awaited one by one.
 */
export class ProgressBatches<T> {
  #pending: T[] = [];
  #flushing: Promise<void> | undefined;
  #send: (batch: T[]) => Promise<unknown>;

  /** `send` never rejecting is the caller's business (a failed update is dropped, as before). */
  constructor(send: (batch: T[]) => Promise<unknown>) {
    this.#send = send;
  }

  push(item: T): void {
    this.#pending.push(item);
    this.#flushing ??= this.#flush();
  }

  /** Resolves once everything pushed so far is sent. */
  async sent(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      await this.#send(batch).catch(() => undefined);
    }
    this.#flushing = undefined;
  }
}
