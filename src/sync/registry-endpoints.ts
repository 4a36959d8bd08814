import type { Credentials } from '../auth/credentials.js';
import type { AuthSetting, RegistryConfig } from '../config/index.js';
import type { EndpointOptions } from '../transport/index.js';

/** Credentials an auth setting gives for one host: `user:pass` applies anywhere, a DockerConfigJSON by host. */
export function credentialsFor(setting: AuthSetting | undefined, host: string): Credentials | undefined {
  if (!setting) return undefined;
  if (setting.kind === 'userpass') return setting.credentials;
  return setting.auths.get(host);
}

/** How to reach the configured target registry (push side). */
export function targetEndpoint(registry: RegistryConfig): EndpointOptions {
  return {
    credentials: credentialsFor(registry.pushAuth, registry.hostname),
    ...(registry.insecure ? { insecure: true } : {}),
    ...(registry.tlsVerify === false ? { tlsVerify: false } : {}),
    ...(registry.caFile ? { caFile: registry.caFile } : {}),
    ...(registry.pipelining === false ? { pipelining: false } : {}),
  };
}

/**
 * How to reach a source registry (pull side) for images mirrored into `registry`: TLS settings
 * from the config's `sources:` entry for that host; its `auth` when it has credentials for the
 * host, else the registry's pullAuthConfig (`user:pass` goes to every source, DockerConfigJSON by host).
 */
export function sourceEndpoint(registry: RegistryConfig, sourceHost: string): EndpointOptions {
  const source = registry.sources?.get(sourceHost);
  return {
    credentials: credentialsFor(source?.auth, sourceHost) ?? credentialsFor(registry.pullAuth, sourceHost),
    ...(source?.insecure ? { insecure: true } : {}),
    ...(source?.tlsVerify === false ? { tlsVerify: false } : {}),
    ...(source?.caFile ? { caFile: source.caFile } : {}),
    ...(source?.pipelining === false ? { pipelining: false } : {}),
  };
}
