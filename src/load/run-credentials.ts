import { runCredentialHelper } from '../auth/credential-helper.js';
import type { Credentials } from '../auth/credentials.js';
import { dockerConfigCredentials, type AskHelper } from '../auth/helper-credentials.js';
import type { AuthSetting } from '../config/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';

/**
 * The credentials of one load run. A DockerConfigJSON of config.yaml that names credential helpers
 * (`credHelpers`, `credsStore`) has them asked as `copy` asks those of the docker config file,
 * once per helper and host in a run: every run of `sync` asks again, so a helper's short-lived
 * token (a cloud registry's) is fresh for each. A helper that failed is asked again by the next
 * image that needs it (a retry pass, say), not served its failure.
 */
export class RunCredentials {
  /**
   * The scrubber's hold on the newest answer of each helper and server, across runs: a new answer
   * replaces the one before (released only once the new one is held), so a server running for
   * months masks one token per helper and host, not one per run.
   */
  static readonly #held = new Map<string, () => void>();
  #asked = new Map<string, Promise<Credentials | undefined>>();
  #ask: AskHelper;

  constructor(ask: AskHelper = (name, server) => runCredentialHelper(name, server)) {
    this.#ask = ask;
  }

  /** What `setting` gives `host`: `user:pass` anywhere, else the DockerConfigJSON's helper or `auths` entry. */
  resolve = (setting: AuthSetting | undefined, host: string): Promise<Credentials | undefined> => {
    if (!setting) return Promise.resolve(undefined);
    if (setting.kind === 'userpass') return Promise.resolve(setting.credentials);
    return dockerConfigCredentials(setting, host, (name, server) => this.#cached(name, server));
  };

  #cached(name: string, server: string): Promise<Credentials | undefined> {
    const key = `${name}\n${server}`;
    let asked = this.#asked.get(key);
    if (!asked) {
      asked = this.#ask(name, server).then((credentials) => {
        // Known to the scrubber before anything could quote them (a registry's error body echoing a header).
        if (credentials) {
          const release = processScrubber.addCredentials(credentials.username, credentials.password);
          RunCredentials.#held.get(key)?.();
          RunCredentials.#held.set(key, release);
        }
        return credentials;
      });
      asked.catch(() => this.#asked.delete(key));
      this.#asked.set(key, asked);
    }
    return asked;
  }
}
