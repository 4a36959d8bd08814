import { AuthError, HttpError } from '../errors/index.js';
import type { RegistryClients } from '../registry/index.js';
import type { EndpointOptions } from '../transport/index.js';
import { CatalogUnavailableError, RepositoryNotFoundError } from './listing-errors.js';

export interface ListOptions {
  signal?: AbortSignal | undefined;
  /** Each page's names as it arrives, for progress. */
  onPage?: ((names: readonly string[]) => void) | undefined;
}

/**
 * What expansion needs from a source registry. The registry implementation below is the real one;
 * the interface lets a caller put a cache or a queue in between.
 */
export interface Lister {
  /** Every repository of the catalog; a CatalogUnavailableError when the registry does not offer it. */
  repositories(registry: string, options?: ListOptions): Promise<string[]>;
  /** Every tag; a RepositoryNotFoundError when the repository does not exist. */
  tags(registry: string, repository: string, options?: ListOptions): Promise<string[]>;
}

export interface RegistryListerOptions {
  /** Credentials and TLS per source host, and repository for a tag listing (the same the copies use); may take a moment (a credential helper). */
  endpoint?: ((registry: string, repository?: string) => EndpointOptions | undefined | Promise<EndpointOptions | undefined>) | undefined;
  /** `n` of each `_catalog` page; at most the registry's `maxentries` (1000 by default on distribution). */
  catalogPageSize?: number;
  /** `n` of each `tags/list` page (distribution 2.8 ignores it and sends every tag at once). */
  tagPageSize?: number;
}

/** The registry's own words, without the `registry: ` prefix an AuthError starts with. */
function detailOf(error: AuthError | HttpError, registry: string): string {
  const text = error instanceof AuthError && error.cause instanceof HttpError ? error.cause.message : error.message;
  return text.startsWith(`${registry}: `) ? text.slice(registry.length + 2) : text;
}

function catalogUnavailable(error: unknown, registry: string): CatalogUnavailableError | undefined {
  const offered =
    !(error instanceof AuthError) &&
    !(error instanceof HttpError && ([404, 405, 501].includes(error.status) || error.registryCode === 'UNSUPPORTED'));
  if (offered) return undefined;
  return new CatalogUnavailableError(registry, detailOf(error, registry), { cause: error });
}

/** Lists through the shared RegistryClients: scopes `registry:catalog:*` and `repository:NAME:pull`. */
export function registryLister(clients: RegistryClients, options: RegistryListerOptions = {}): Lister {
  return {
    async repositories(registry, list = {}) {
      try {
        return await clients.catalog(registry, await options.endpoint?.(registry), options.catalogPageSize ?? 1000, list);
      } catch (error) {
        throw catalogUnavailable(error, registry) ?? error;
      }
    },
    async tags(registry, repository, list = {}) {
      try {
        const client = clients.repository(registry, repository, 'pull', await options.endpoint?.(registry, repository), {
          signal: list.signal,
        });
        return await client.listTags({ pageSize: options.tagPageSize ?? 1000, onPage: list.onPage });
      } catch (error) {
        if (error instanceof HttpError && error.status === 404)
          throw new RepositoryNotFoundError(registry, repository, detailOf(error, registry), { cause: error });
        throw error;
      }
    },
  };
}
