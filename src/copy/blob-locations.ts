/** How long a sighting counts: registries change (tags deleted, garbage collected) under a long-lived process. */
const DEFAULT_TTL_MS = 10 * 60_000;

/**
 * Which repositories of a registry this process has seen holding a blob (it found, mounted or
 * uploaded it there). A sighting spares requests: a blob already in the target repository needs
 * none, one in another repository is mounted without a HEAD first. Sightings expire, and a
 * repository whose manifest PUT named a blob missing is forgotten.
 */
export class BlobLocations {
  /** `registry|digest` -> repository -> when it was seen there. */
  #seen = new Map<string, Map<string, number>>();
  #ttlMs: number;
  #now: () => number;
  #writesSinceSweep = 0;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  remember(registry: string, digest: string, repository: string): void {
    const key = `${registry}|${digest}`;
    let repositories = this.#seen.get(key);
    if (!repositories) this.#seen.set(key, (repositories = new Map<string, number>()));
    repositories.set(repository, this.#now());
    // Expired sightings are dropped now and then, so a process that runs for weeks stays small.
    if (++this.#writesSinceSweep >= 10_000) this.#sweep();
  }

  has(registry: string, digest: string, repository: string): boolean {
    const at = this.#seen.get(`${registry}|${digest}`)?.get(repository);
    return at !== undefined && this.#fresh(at);
  }

  /** Repositories of `registry` seen holding `digest`, newest first. */
  repositories(registry: string, digest: string): string[] {
    const repositories = this.#seen.get(`${registry}|${digest}`);
    if (!repositories) return [];
    return [...repositories]
      .filter(([, at]) => this.#fresh(at))
      .sort((a, b) => b[1] - a[1])
      .map(([name]) => name);
  }

  /** Drops every sighting in one repository (its content turned out not to be what we thought). */
  forgetRepository(registry: string, repository: string): void {
    for (const [key, repositories] of this.#seen) if (key.startsWith(`${registry}|`)) repositories.delete(repository);
  }

  #fresh(at: number): boolean {
    return this.#now() - at < this.#ttlMs;
  }

  #sweep(): void {
    this.#writesSinceSweep = 0;
    for (const [key, repositories] of this.#seen) {
      for (const [name, at] of repositories) if (!this.#fresh(at)) repositories.delete(name);
      if (repositories.size === 0) this.#seen.delete(key);
    }
  }
}
