import { SCHEME } from '../errors/mask-userinfo.js';
import { validateRepository } from '../reference/grammar.js';
import { parseRegistryHost, trimRepositoryPath } from '../reference/index.js';

/**
 * A `sources:` key: a registry host (`quay.io`, `registry.internal:5000`), or a host and a namespace
 * (`quay.io/coreos`) whose settings apply to the repositories under it. The host is normalised as in a
 * reference (lowercase, `docker.io`); the namespace is checked like a repository path.
 */
export function parseSourceKey(text: string): string {
  const slash = text.indexOf('/');
  // `https://host` gets the host parser's own message (drop the scheme).
  if (slash < 0 || SCHEME.test(text)) return parseRegistryHost(text);
  const host = parseRegistryHost(text.slice(0, slash));
  const namespace = trimRepositoryPath(text.slice(slash + 1));
  if (namespace === '') return host;
  validateRepository(text, namespace);
  return `${host}/${namespace}`;
}

/**
 * The entry for `host/repository` with the longest key that covers it, as image-syncer picks
 * credentials: `quay.io/coreos` over `quay.io` for `quay.io/coreos/etcd`, whole path components
 * only (`quay.io/core` covers neither). `host` alone is the key for a registry-wide request (a
 * catalog), or when no namespace key covers the repository.
 */
export function matchSourceKey<T>(entries: ReadonlyMap<string, T> | undefined, host: string, repository?: string): T | undefined {
  if (!entries) return undefined;
  if (repository !== undefined) {
    const parts = repository.split('/');
    for (let n = parts.length; n > 0; n--) {
      const found = entries.get(`${host}/${parts.slice(0, n).join('/')}`);
      if (found !== undefined) return found;
    }
  }
  return entries.get(host);
}
