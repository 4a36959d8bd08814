/**
 * A worker's copy slots, as opposed to the jobs it holds: a worker takes `prefetch` jobs more
 * than it has slots, and those wait here, first taken first started, for a copy to end. A slot
 * freed goes straight to the job that waited longest, in the same turn of the event loop: no
 * Redis round trip between one copy's end and the next one's start.
 */
export class SlotGate {
  #free: number;
  #waiting: Array<{ admit: (release: () => void) => void }> = [];

  #onFree: () => void;

  /** `onFree`: called when a slot is left free, no job waiting for it (the worker may take one more). */
  constructor(slots: number, onFree: () => void = () => undefined) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`a slot gate needs at least one slot, not ${slots}`);
    this.#free = slots;
    this.#onFree = onFree;
  }

  /** Slots no job has (none while a job waits: a slot freed goes straight to it). */
  get free(): number {
    return this.#free;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves with the slot's release (call it once; later calls do nothing) when one is free;
   * `signal` aborted while waiting, resolves `undefined` and leaves the line (no slot held).
   */
  take(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    const free = this.tryTake();
    if (free) return Promise.resolve(free);
    return new Promise((resolve) => {
      const waiter = {
        admit: (release: () => void): void => {
          signal.removeEventListener('abort', leave);
          resolve(release);
        },
      };
      const leave = (): void => {
        this.#waiting = this.#waiting.filter((w) => w !== waiter);
        resolve(undefined);
      };
      signal.addEventListener('abort', leave, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** A free slot's release at once, or `undefined` when every slot is taken (nothing waits in line). */
  tryTake(): (() => void) | undefined {
    if (this.#free === 0) return undefined;
    this.#free--;
    return this.#release();
  }

  #release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // Handed on, not freed: a job taken meanwhile cannot pass the one that waited.
      if (next) next.admit(this.#release());
      else {
        this.#free++;
        this.#onFree();
      }
    };
  }
}
