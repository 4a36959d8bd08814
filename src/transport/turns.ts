/**
 * At most `limit` holders at once, the others waiting in arrival order; the limit may change while
 * turns are held (a config reload), and `undefined` means no limit (everyone passes at once, still
 * counted). A waiter whose signal aborts leaves the queue with the signal's reason.
 */
export class Turns {
  #limit: number | undefined;
  #held = 0;
  #queue: Array<{ start: () => void }> = [];

  constructor(limit: number | undefined) {
    this.#limit = limit;
  }

  get held(): number {
    return this.#held;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  set limit(limit: number | undefined) {
    this.#limit = limit;
    this.#wake();
  }

  /**
   * Takes a turn, waiting for one unless `wait` is false (a turn taken beside the limit: see
   * HostGate.enter). The returned function gives it back, once.
   */
  async take(signal?: AbortSignal, wait = true): Promise<() => void> {
    // A waiter is handed its turn by #wake, already counted, so that nobody can slip in between.
    if (wait && (this.#queue.length > 0 || !this.#free())) await this.#wait(signal);
    else this.#held++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#held--;
      this.#wake();
    };
  }

  #free(): boolean {
    return this.#limit === undefined || this.#held < this.#limit;
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#queue = this.#queue.filter((w) => w !== waiter);
        reject(signal?.reason as Error);
        this.#wake();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #wake(): void {
    while (this.#free() && this.#queue.length > 0) {
      const next = this.#queue.shift();
      if (!next) break;
      this.#held++;
      next.start();
    }
  }
}
