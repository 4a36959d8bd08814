import type { Credentials } from './credentials.js';
import { CredentialStore } from './credential-store.js';
import { normaliseAuthKey, type DockerAuths } from './docker-config.js';

/** The server address Docker stores Docker Hub's credentials under, and asks its helpers for. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/** Asks a helper (`docker-credential-NAME get`) for a server's credentials; undefined: it holds none. */
export type AskHelper = (name: string, server: string) => Promise<Credentials | undefined>;

/** What a docker config says about credentials, the helpers optional (a DockerConfigJSON in config.yaml may have none). */
export interface HelperConfig {
  auths: DockerAuths;
  credHelpers?: ReadonlyMap<string, string> | undefined;
  credsStore?: string | undefined;
}

/** The helper Docker would ask for `registry`: its `credHelpers` entry, else the `credsStore`; undefined: none. */
export function helperFor(config: HelperConfig, registry: string): { name: string; server: string } | undefined {
  const host = normaliseAuthKey(registry);
  const name = config.credHelpers?.get(host) ?? config.credsStore;
  return name === undefined ? undefined : { name, server: host === 'docker.io' ? DOCKER_HUB_SERVER : host };
}

/**
 * A docker config's credentials for a registry, as Docker finds them: its `credHelpers` entry,
 * else its `credsStore`, else its `auths` entry. A helper is asked for the host as Docker names
 * it (Docker Hub as `https://index.docker.io/v1/`). The one lookup of `copy` (the docker config
 * file) and of `load` and `sync` (a DockerConfigJSON in config.yaml).
 */
export function dockerConfigCredentials(config: HelperConfig, registry: string, ask: AskHelper): Promise<Credentials | undefined> {
  const helper = helperFor(config, registry);
  if (helper) return ask(helper.name, helper.server);
  return Promise.resolve(new CredentialStore().addAll(config.auths).lookup(registry));
}

/** Whether the config gives anything for `registry`: an auths entry, or a helper to ask. */
export function coversHost(config: HelperConfig, registry: string): boolean {
  return helperFor(config, registry) !== undefined || new CredentialStore().addAll(config.auths).lookup(registry) !== undefined;
}
