import { parseReference } from '../reference/index.js';
import type { AuthSetting } from './types.js';
import type { PathProblem } from './zod-problems.js';

/** The hosts a DockerConfigJSON has credentials for, for messages (host names are not secrets). */
export function listedHosts(auths: ReadonlyMap<string, unknown>): string {
  return auths.size === 0 ? 'it lists no host with credentials' : `it lists ${[...auths.keys()].map((h) => JSON.stringify(h)).join(', ')}`;
}

export interface AuthHostInput {
  index: number;
  /** Normalised target host. */
  hostname: string;
  pullAuth: AuthSetting | undefined;
  pushAuth: AuthSetting | undefined;
  /** As written (unchecked types). */
  images: unknown[];
  /** The auth of each `sources:` host. */
  sourceAuths: ReadonlyMap<string, AuthSetting | undefined>;
}

/**
 * A DockerConfigJSON is matched to registries by host, so one that lists `localhost:5000` never
 * sends its credentials to `127.0.0.1:5000`: the run would only show a registry's bare 401. On the
 * push side the target is known, so a missing entry is an error. On the pull side only the hosts of
 * a literal `images:` list are known before the run, and some may be meant anonymous: a warning.
 */
export function checkAuthHosts(input: AuthHostInput): { problems: PathProblem[]; warnings: PathProblem[] } {
  const problems: PathProblem[] = [];
  const warnings: PathProblem[] = [];
  const { index, hostname, pushAuth, pullAuth } = input;
  if (pushAuth?.kind === 'docker-config' && hostname !== '' && !pushAuth.auths.has(hostname)) {
    problems.push({
      path: ['registries', index, 'pushAuthConfig'],
      at: 'value',
      message: `DockerConfigJSON has no entry for the target registry "${hostname}" (${listedHosts(pushAuth.auths)}): its credentials would never be sent there; add an entry for "${hostname}"`,
    });
  }
  if (pullAuth?.kind === 'docker-config') {
    const warned = new Set<string>();
    input.images.forEach((image, j) => {
      if (typeof image !== 'string') return;
      let host: string;
      try {
        host = parseReference(image).registry;
      } catch {
        return; // reported as an invalid reference already
      }
      if (warned.has(host) || pullAuth.auths.has(host)) return;
      const source = input.sourceAuths.get(host);
      if (source && (source.kind === 'userpass' || source.auths.has(host))) return;
      warned.add(host);
      warnings.push({
        path: ['registries', index, 'pullAuthConfig'],
        at: 'value',
        message: `DockerConfigJSON has no entry for the source registry "${host}" of images[${j}] (${listedHosts(pullAuth.auths)}): images from "${host}" are pulled without credentials`,
      });
    });
  }
  return { problems, warnings };
}
