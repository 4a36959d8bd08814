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
        if (credentials) processScrubber.addCredentials(credentials.username, credentials.password);
        return credentials;
      });
      asked.catch(() => this.#asked.delete(key));
      this.#asked.set(key, asked);
    }
    return asked;
  }
}
