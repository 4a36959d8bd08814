import type { Lister, ListOptions } from './lister.js';
import { CatalogUnavailableError, RepositoryNotFoundError } from './listing-errors.js';

/**
 * An in-memory Lister for unit tests of expansion (the registry one is tested end to end against
 * the real registry). Pages of `pageSize` go to onPage; `failures` throw for a catalog or repository.
 */
export class FakeLister implements Lister {
  readonly calls: string[] = [];
  /** Repositories listed in the catalog whose tags/list answers "not found" (deleted in between). */
  readonly vanished = new Set<string>();
  readonly failures = new Map<string, Error>();
  #registries: Record<string, Record<string, string[]>>;
  #pageSize: number;
  #withoutCatalog: Set<string>;

  constructor(registries: Record<string, Record<string, string[]>>, options: { pageSize?: number; withoutCatalog?: string[] } = {}) {
    this.#registries = registries;
    this.#pageSize = options.pageSize ?? 2;
    this.#withoutCatalog = new Set(options.withoutCatalog);
  }

  #pages(names: string[], options: ListOptions | undefined): string[] {
    for (let i = 0; i < names.length; i += this.#pageSize) options?.onPage?.(names.slice(i, i + this.#pageSize));
    return names;
  }

  async repositories(registry: string, options?: ListOptions): Promise<string[]> {
    this.calls.push(`catalog ${registry}`);
    await Promise.resolve();
    const failure = this.failures.get(registry);
    if (failure) throw failure;
    if (this.#withoutCatalog.has(registry))
      throw new CatalogUnavailableError(registry, 'GET http://x/v2/_catalog: 404 Not Found: 404 page not found');
    return this.#pages(Object.keys(this.#registries[registry] ?? {}), options);
  }

  async tags(registry: string, repository: string, options?: ListOptions): Promise<string[]> {
    this.calls.push(`tags ${registry}/${repository}`);
    await Promise.resolve();
    const failure = this.failures.get(`${registry}/${repository}`);
    if (failure) throw failure;
    const tags = this.#registries[registry]?.[repository];
    if (!tags || this.vanished.has(`${registry}/${repository}`)) {
      throw new RepositoryNotFoundError(
        registry,
        repository,
        `GET http://x/v2/${repository}/tags/list: 404 Not Found: NAME_UNKNOWN: repository name not known to registry`,
      );
    }
    return this.#pages(tags, options);
  }
}
