import type { Credentials } from './credentials.js';
import { normaliseAuthKey, type DockerAuths } from './docker-config.js';

/** Credentials per registry host. The first source added for a host wins. */
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
