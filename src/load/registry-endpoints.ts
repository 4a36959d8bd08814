import { credentialsFor, HOST_DEFAULTS, toEndpointOptions, type RegistryConfig } from '../config/index.js';
import { matchSourceKey } from '../config/source-key.js';
import type { EndpointOptions } from '../transport/index.js';

/**
 * How to reach the configured target registry (push side): the entry's own host settings and
 * pushAuthConfig; or, for a registry built from image-syncer's auth file (`pushSources`), the
 * entry with the longest key covering the target `repository`, as for sources.
 */
export function targetEndpoint(registry: RegistryConfig, repository?: string): EndpointOptions {
  const own = matchSourceKey(registry.pushSources, registry.hostname, repository);
  if (own) return toEndpointOptions({ ...own, credentials: credentialsFor(own.auth, registry.hostname) });
  return toEndpointOptions({ ...registry, credentials: credentialsFor(registry.pushAuth, registry.hostname) });
}

/**
 * How to reach a source registry (pull side) for images mirrored into `registry`: the settings of
 * the config's `sources:` entry for that host, or for the longest `host/namespace` key covering
 * `repository` (the defaults without one); its `auth` when it has
 * credentials for the host, else the registry's pullAuthConfig (`user:pass` goes to every source,
 * DockerConfigJSON by host).
 */
export function sourceEndpoint(registry: RegistryConfig, sourceHost: string, repository?: string): EndpointOptions {
  const source = matchSourceKey(registry.sources, sourceHost, repository);
  return toEndpointOptions({
    ...(source ?? HOST_DEFAULTS),
    credentials: credentialsFor(source?.auth, sourceHost) ?? credentialsFor(registry.pullAuth, sourceHost),
  });
}
