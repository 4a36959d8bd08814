import type { Transport } from '../transport/index.js';

/** What every repository-level call needs: the host's transport, the repository and its scopes. */
export interface RepositoryContext {
  transport: Transport;
  /** Repository path on the registry, e.g. `library/nginx`. */
  name: string;
  /** Token scopes for this repository: `pull`, or `pull,push` on a target. */
  scopes: readonly string[];
  signal?: AbortSignal | undefined;
}

/** `/v2/<name>/<rest>`: repository names are path components and need no escaping. */
export function repositoryPath(name: string, rest: string): string {
  return `/v2/${name}/${rest}`;
}
