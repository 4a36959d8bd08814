import { setTimeout as delay } from 'node:timers/promises';

/**
 * `rate` requests per second on average, with a burst of one second's worth (at least 1): a
 * classic token bucket. Waiters are served in arrival order; the rate may change at any time.
 */
export class TokenBucket {
  #rate: number | undefined;
  #tokens: number;
  #refilledAt: number;
  #now: () => number;
  /** The waiters, chained: each one's turn starts when the one before has its token. */
  #last: Promise<void> = Promise.resolve();

  constructor(rate: number | undefined, now: () => number = Date.now) {
    this.#rate = rate;
    this.#now = now;
    this.#tokens = this.#burst();
    this.#refilledAt = now();
  }

  set rate(rate: number | undefined) {
    this.#refill();
    const unlimited = this.#rate === undefined;
    this.#rate = rate;
    // From no limit to one: a full bucket, as at the start.
    this.#tokens = unlimited ? this.#burst() : Math.min(this.#tokens, this.#burst());
  }

  /** Resolves when a request may go; rejects with the signal's reason when it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (this.#rate === undefined) return Promise.resolve();
    const turn = this.#last.then(() => this.#takeOne(signal));
    // The next waiter goes after this one, whether it got its token or gave up.
    this.#last = turn.catch(() => undefined);
    return turn;
  }

  async #takeOne(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.#refill();
      const rate = this.#rate;
      if (rate === undefined || this.#tokens >= 1) {
        if (rate !== undefined) this.#tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.#tokens) / rate) * 1000);
      await delay(waitMs, undefined, signal ? { signal } : undefined);
    }
  }

  #burst(): number {
    return this.#rate === undefined ? 0 : Math.max(1, Math.ceil(this.#rate));
  }

  #refill(): void {
    const now = this.#now();
    if (this.#rate !== undefined) this.#tokens = Math.min(this.#burst(), this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate);
    this.#refilledAt = now;
  }
}
