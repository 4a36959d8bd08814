/**
 * How many distinct groups of requests are in flight at once, for the requests a pattern picks: a
 * fault proxy's `trackGroups(/\/blobs\//, repositoryOf)` sees how many images' blob reads overlap,
 * exactly, at every request's start and end (no sampling, no timing).
 */
export interface GroupTracker {
  /** Groups with a request in flight now. */
  readonly current: number;
  /** The most groups with a request in flight at once since the tracker was made. */
  readonly max: number;
  /** Every group seen, in order of first request. */
  readonly seen: readonly string[];
}

export class GroupCounter implements GroupTracker {
  #inFlight = new Map<string, number>();
  #max = 0;
  #seen: string[] = [];

  constructor(
    private readonly pattern: RegExp,
    private readonly groupOf: (path: string) => string,
  ) {}

  get current(): number {
    return this.#inFlight.size;
  }

  get max(): number {
    return this.#max;
  }

  get seen(): readonly string[] {
    return this.#seen;
  }

  /** A request began: the function returned ends it (call it once, when its answer is done). */
  begin(method: string, path: string): (() => void) | undefined {
    if (`${method} ${path}`.search(this.pattern) < 0) return undefined;
    const group = this.groupOf(path);
    if (!this.#seen.includes(group)) this.#seen.push(group);
    this.#inFlight.set(group, (this.#inFlight.get(group) ?? 0) + 1);
    this.#max = Math.max(this.#max, this.#inFlight.size);
    return () => {
      const left = (this.#inFlight.get(group) ?? 1) - 1;
      if (left === 0) this.#inFlight.delete(group);
      else this.#inFlight.set(group, left);
    };
  }
}
