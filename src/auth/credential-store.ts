import type { Credentials } from './credentials.js';
import { normaliseAuthKey, type DockerAuths } from './docker-config.js';

/**
 * Credentials per registry host. The first entry added for a host wins, so callers add in order
 * of precedence: explicit per-host credentials, then DockerConfigJSON documents, then the
 * docker config file as the fallback. Hosts are keyed with normaliseAuthKey, so
 * `https://index.docker.io/v1/` and `registry-1.docker.io` find the same entry.
 */
export class CredentialStore {
  #entries = new Map<string, Credentials>();

  constructor(entries?: Iterable<[string, Credentials]>) {
    for (const [host, credentials] of entries ?? []) this.add(host, credentials);
  }

  add(registry: string, credentials: Credentials): this {
    const key = normaliseAuthKey(registry);
    if (!this.#entries.has(key)) this.#entries.set(key, credentials);
    return this;
  }

  addAll(auths: DockerAuths): this {
    for (const [host, credentials] of auths) this.add(host, credentials);
    return this;
  }

  lookup(registry: string): Credentials | undefined {
    return this.#entries.get(normaliseAuthKey(registry));
  }
}
