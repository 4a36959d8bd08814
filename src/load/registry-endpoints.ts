import type { Credentials } from '../auth/credentials.js';
import {
  credentialsFor,
  HOST_DEFAULTS,
  toEndpointOptions,
  type AuthSetting,
  type HostSettings,
  type RegistryConfig,
} from '../config/index.js';
import { matchSourceKey } from '../config/source-key.js';
import type { EndpointOptions } from '../transport/index.js';

/** The credentials an auth setting gives a host; asking its credential helpers, when it names any, may take a moment. */
export type ResolveCredentials = (setting: AuthSetting | undefined, host: string) => Promise<Credentials | undefined>;

/** The target's settings and the auth settings to try, in order. */
interface Parts {
  settings: HostSettings;
  auths: Array<AuthSetting | undefined>;
}

function targetParts(registry: RegistryConfig, repository?: string): Parts {
  const own = matchSourceKey(registry.pushSources, registry.hostname, repository);
  if (own) return { settings: own, auths: [own.auth] };
  // config.yaml's `targets:` by host/namespace first (longest match), then the entry's pushAuthConfig.
  const target = matchSourceKey(registry.targets, registry.hostname, repository);
  return { settings: registry, auths: [target?.auth, registry.pushAuth] };
}

function sourceParts(registry: RegistryConfig, sourceHost: string, repository?: string): Parts {
  const source = matchSourceKey(registry.sources, sourceHost, repository);
  return { settings: source ?? HOST_DEFAULTS, auths: [source?.auth, registry.pullAuth] };
}

function endpointOf({ settings, auths }: Parts, host: string): EndpointOptions {
  let credentials: Credentials | undefined;
  for (const auth of auths) credentials ??= credentialsFor(auth, host);
  return toEndpointOptions({ ...settings, credentials });
}

async function resolvedEndpointOf({ settings, auths }: Parts, host: string, resolve: ResolveCredentials): Promise<EndpointOptions> {
  let credentials: Credentials | undefined;
  for (const auth of auths) credentials ??= await resolve(auth, host);
  return toEndpointOptions({ ...settings, credentials });
}

/**
 * How to reach the configured target registry (push side): the entry's own host settings, with
 * the credentials of the config's `targets:` entry with the longest key covering the target
 * `repository` when it has some for the host, else its pushAuthConfig; or, for a registry built
 * from image-syncer's auth file (`pushSources`), everything from the entry with the longest key
 * covering the repository, as for sources. Without its credential helpers (see resolvedTargetEndpoint).
 */
export function targetEndpoint(registry: RegistryConfig, repository?: string): EndpointOptions {
  return endpointOf(targetParts(registry, repository), registry.hostname);
}

/** targetEndpoint, its credentials from `resolve` (which asks the DockerConfigJSON's credential helpers). */
export function resolvedTargetEndpoint(
  registry: RegistryConfig,
  repository: string | undefined,
  resolve: ResolveCredentials,
): Promise<EndpointOptions> {
  return resolvedEndpointOf(targetParts(registry, repository), registry.hostname, resolve);
}

/**
 * How to reach a source registry (pull side) for images mirrored into `registry`: the settings of
 * the config's `sources:` entry for that host, or for the longest `host/namespace` key covering
 * `repository` (the defaults without one); its `auth` when it has
 * credentials for the host, else the registry's pullAuthConfig (`user:pass` goes to every source,
 * DockerConfigJSON by host). Without credential helpers (see resolvedSourceEndpoint).
 */
export function sourceEndpoint(registry: RegistryConfig, sourceHost: string, repository?: string): EndpointOptions {
  return endpointOf(sourceParts(registry, sourceHost, repository), sourceHost);
}

/** sourceEndpoint, its credentials from `resolve` (which asks the DockerConfigJSON's credential helpers). */
export function resolvedSourceEndpoint(
  registry: RegistryConfig,
  sourceHost: string,
  repository: string | undefined,
  resolve: ResolveCredentials,
): Promise<EndpointOptions> {
  return resolvedEndpointOf(sourceParts(registry, sourceHost, repository), sourceHost, resolve);
}
