import { credentialsFor, HOST_DEFAULTS, toEndpointOptions, type RegistryConfig } from '../config/index.js';
import { matchSourceKey } from '../config/source-key.js';
import type { EndpointOptions } from '../transport/index.js';

/**
 * How to reach the configured target registry (push side): the entry's own host settings, with
 * the credentials of the config's `targets:` entry with the longest key covering the target
 * `repository` (host/namespace or host) when it has some for the host, else its pushAuthConfig. A
 * registry built from image-syncer's auth file (`pushSources`) takes everything from the entry
 * with the longest key covering the repository, as for sources.
 */
export function targetEndpoint(registry: RegistryConfig, repository?: string): EndpointOptions {
  const own = matchSourceKey(registry.pushSources, registry.hostname, repository);
  if (own) return toEndpointOptions({ ...own, credentials: credentialsFor(own.auth, registry.hostname) });
  const target = matchSourceKey(registry.targets, registry.hostname, repository);
  const credentials = credentialsFor(target?.auth, registry.hostname) ?? credentialsFor(registry.pushAuth, registry.hostname);
  return toEndpointOptions({ ...registry, credentials });
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
