import { parseAuthSetting } from './auth-setting.js';
import { listedHosts } from './auth-hosts.js';
import { hostKeyedEntries, quietly } from './host-keyed-entries.js';
import type { PathProblem } from './zod-problems.js';

/**
 * `targets:` keys (push credentials by host or host/namespace), checked against the registries:
 * two keys that normalise alike, a key whose host is no entry's `hostname` (its credentials would
 * never be used), a DockerConfigJSON without an entry for that host. Hosts are compared normalised.
 */
export function checkTargetKeys(raw: unknown, hostnames: ReadonlySet<string>): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const { key, host: normalised, value } of hostKeyedEntries('targets', raw, problems)) {
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
