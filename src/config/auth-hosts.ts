import { parseImageEntry } from '../select/image-entry.js';
import { parseRuleSource, type RuleSource } from '../select/rule-source.js';
import { authCovers } from './auth-setting.js';
import type { AuthSetting } from './types.js';
import type { PathProblem } from './zod-problems.js';

/** The hosts a DockerConfigJSON has credentials or a helper for, for messages (host names are not secrets). */
export function listedHosts(auths: ReadonlyMap<string, unknown>, helpers?: ReadonlyMap<string, string>): string {
  const hosts = [...new Set([...auths.keys(), ...(helpers?.keys() ?? [])])];
  return hosts.length === 0 ? 'it lists no host with credentials' : `it lists ${hosts.map((h) => JSON.stringify(h)).join(', ')}`;
}

export interface AuthHostInput {
  index: number;
  /** Normalised target host. */
  hostname: string;
  pullAuth: AuthSetting | undefined;
  pushAuth: AuthSetting | undefined;
  /** As written (unchecked types). */
  images: unknown[];
  /** The `mirrors:` rules as written (unchecked types). */
  mirrors?: unknown[];
  /** The auth of each `sources:` host. */
  sourceAuths: ReadonlyMap<string, AuthSetting | undefined>;
}

/**
 * A DockerConfigJSON is matched to registries by host, so one that lists `localhost:5000` never
 * sends its credentials to `127.0.0.1:5000`: the run would only show a registry's bare 401. On the
 * push side the target is known, so a missing entry is an error. On the pull side only the hosts of
 * the `images:` list and the `mirrors:` sources are known before the run, and some may be meant
 * anonymous: a warning.
 */
export function checkAuthHosts(input: AuthHostInput): { problems: PathProblem[]; warnings: PathProblem[] } {
  const problems: PathProblem[] = [];
  const warnings: PathProblem[] = [];
  const { index, hostname, pushAuth, pullAuth } = input;
  if (pushAuth?.kind === 'docker-config' && hostname !== '' && !authCovers(pushAuth, hostname)) {
    problems.push({
      path: ['registries', index, 'pushAuthConfig'],
      at: 'value',
      message: `DockerConfigJSON has no entry for the target registry "${hostname}" (${listedHosts(pushAuth.auths, pushAuth.credHelpers)}): its credentials would never be sent there; add an entry for "${hostname}"`,
    });
  }
  if (pullAuth?.kind === 'docker-config') {
    const warned = new Set<string>();
    const check = (host: string | undefined, what: string): void => {
      if (host === undefined || warned.has(host) || authCovers(pullAuth, host)) return;
      if (authCovers(input.sourceAuths.get(host), host)) return;
      warned.add(host);
      warnings.push({
        path: ['registries', index, 'pullAuthConfig'],
        at: 'value',
        message: `DockerConfigJSON has no entry for the source registry "${host}" of ${what} (${listedHosts(pullAuth.auths, pullAuth.credHelpers)}): images from "${host}" are pulled without credentials`,
      });
    };
    input.images.forEach((image, j) => check(imageHost(image), `images[${j}]`));
    (input.mirrors ?? []).forEach((rule, j) => check(ruleHost(rule), `mirrors[${j}]`));
  }
  return { problems, warnings };
}

/** The source host of an `images:` entry, or undefined when it is not one (reported as such already). */
function imageHost(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  try {
    const entry = parseImageEntry(image);
    return entry.kind === 'reference' ? entry.reference.registry : hostOf(entry.rule.source);
  } catch {
    return undefined;
  }
}

/** The source host of a `mirrors:` rule as written, or undefined when its source is not valid (reported already). */
function ruleHost(rule: unknown): string | undefined {
  const source = typeof rule === 'object' && rule !== null ? (rule as { source?: unknown }).source : undefined;
  if (typeof source !== 'string') return undefined;
  try {
    return hostOf(parseRuleSource(source));
  } catch {
    return undefined;
  }
}

function hostOf(source: RuleSource): string {
  return source.kind === 'reference' ? source.reference.registry : source.registry;
}
