import { parseAuthSetting } from './auth-setting.js';
import { listedHosts } from './auth-hosts.js';
import { parseSourceKey } from './source-key.js';
import type { PathProblem } from './zod-problems.js';

const quietly = <T>(parse: (text: string) => T, value: unknown): T | undefined => {
  if (typeof value !== 'string') return undefined;
  try {
    return parse(value);
  } catch {
    return undefined;
  }
};

/**
 * `targets:` keys (push credentials by host or host/namespace), checked against the registries:
 * two keys that normalise alike, a key whose host is no entry's `hostname` (its credentials would
 * never be used), a DockerConfigJSON without an entry for that host. Hosts are compared normalised.
 */
export function checkTargetKeys(raw: unknown, hostnames: ReadonlySet<string>): PathProblem[] {
  const problems: PathProblem[] = [];
  const keyOf = new Map<string, string>();
  const entries = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? Object.entries(raw) : [];
  for (const [key, value] of entries) {
    const normalised = quietly(parseSourceKey, key);
    if (normalised === undefined) continue;
    const first = keyOf.get(normalised);
    if (first !== undefined)
      problems.push({ path: ['targets', key], at: 'key', message: `duplicate target "${normalised}" (already listed as "${first}")` });
    keyOf.set(normalised, key);
    const host = normalised.split('/')[0] ?? normalised;
    if (!hostnames.has(host)) {
      const known = [...hostnames].map((h) => JSON.stringify(h)).join(', ');
      problems.push({
        path: ['targets', key],
        at: 'key',
        message: `no registries entry has hostname "${host}" (${known || 'none'}): these push credentials would never be used`,
      });
      continue;
    }
    const auth = quietly(parseAuthSetting, (value as { auth?: unknown } | null)?.auth);
    if (auth?.kind === 'docker-config' && !auth.auths.has(host))
      problems.push({
        path: ['targets', key, 'auth'],
        at: 'value',
        message: `DockerConfigJSON has no entry for the target registry "${host}" (${listedHosts(auth.auths)}): its credentials would never be sent there`,
      });
  }
  return problems;
}
