import { TagListings } from '../copy/index.js';

/** A run's listings are forgotten once none of its jobs came for this long (a run over, or stalled on large copies: it lists again). */
export const LISTINGS_IDLE_MS = 10 * 60_000;
/** Runs whose listings a worker keeps at most (the least recently used go first). */
export const LISTINGS_KEPT = 64;

/**
 * A worker's tag listings, one per run it takes jobs of (`CopyJobData.listings`, the id of the
 * run's own `TagListings` in `sync`): the run's jobs on this worker list a source repository's
 * tags and learn whether it has a referrers API once, as the copies of an in-process run do,
 * instead of once per image (two requests more per image of a repository already seen). A new
 * run has a new id, so it lists afresh, as in-process; only memory is at stake in forgetting one.
 */
export class RunListings {
  #runs = new Map<string, { listings: TagListings; usedAt: number }>();
  #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** The listings of run `id` (created on its first job); none for a job that names no run. */
  of(id: string | undefined): TagListings | undefined {
    if (id === undefined) return undefined;
    const now = this.#now();
    for (const [key, run] of this.#runs) if (now - run.usedAt > LISTINGS_IDLE_MS) this.#runs.delete(key);
    const listings = this.#runs.get(id)?.listings ?? new TagListings();
    // Re-set so the Map's order is the order of last use: the first entry is the least recently used.
    this.#runs.delete(id);
    this.#runs.set(id, { listings, usedAt: now });
    for (const key of this.#runs.keys()) {
      if (this.#runs.size <= LISTINGS_KEPT) break;
      this.#runs.delete(key);
    }
    return listings;
  }

  /** How many runs' listings are kept (tests). */
  get size(): number {
    return this.#runs.size;
  }
}
