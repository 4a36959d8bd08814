import { Cron } from 'croner';
import { errorMessage } from '../errors/index.js';
import { parseRegistryHost } from '../reference/index.js';
import { authCovers, parseAuthSetting } from './auth-setting.js';
import { checkAuthHosts, listedHosts } from './auth-hosts.js';
import { hostKeyedEntries, quietly } from './host-keyed-entries.js';
import { checkTargetKeys } from './target-keys.js';
import type { AuthSetting } from './types.js';
import type { PathProblem } from './zod-problems.js';

/** `*\/5 * * * *` or with seconds; croner decides whether the fields themselves are valid. */
export function checkCron(pattern: string, timezone: string): string | undefined {
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return `cron needs 5 fields (or 6 with seconds), got ${fields}: "${pattern}"`;
  try {
    new Cron(pattern, { paused: true, timezone }).stop();
    return undefined;
  } catch (error) {
    return `invalid cron "${pattern}": ${errorMessage(error)}`;
  }
}

type Loose = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Loose => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {});

/**
 * What no single key can say, so the schema cannot: duplicate hosts, a registry with nothing to
 * mirror, cron in the configured zone, enableAuth without a token, DockerConfigJSONs without an
 * entry for the hosts they are meant for. Runs on the data as written, with type guards, so it
 * reports even where the schema found problems elsewhere (every problem at once); the values it
 * compares are normalised with the schema's own functions.
 */
export function checkAcrossKeys(data: unknown): { problems: PathProblem[]; warnings: PathProblem[] } {
  const problems: PathProblem[] = [];
  const warnings: PathProblem[] = [];
  const add = (path: PathProblem['path'], message: string, at: PathProblem['at'] = 'value') => problems.push({ path, message, at });
  const root = obj(data);
  const timezone = str(obj(root.sync).timezone) ?? 'UTC';
  const sourceAuths = checkSources(root.sources, problems, warnings);
  const seen = new Map<string, number>();
  const list = Array.isArray(root.registries) ? root.registries : [];
  list.forEach((item, index) => {
    const r = obj(item);
    const hostname = quietly(parseRegistryHost, r.hostname);
    if (hostname !== undefined) {
      const first = seen.get(hostname);
      if (first !== undefined)
        add(['registries', index, 'hostname'], `duplicate hostname "${hostname}" (already used by registries[${first}])`);
      else seen.set(hostname, index);
    }
    const syncPeriod = str(r.syncPeriod);
    const cron = syncPeriod === undefined ? undefined : checkCron(syncPeriod, timezone);
    if (cron) add(['registries', index, 'syncPeriod'], cron);
    const images = Array.isArray(r.images) ? r.images : [];
    const mirrors = Array.isArray(r.mirrors) ? r.mirrors : [];
    if (!str(r.syncerScript) && images.length === 0 && mirrors.length === 0)
      add(
        ['registries', index],
        'needs something to mirror: a "syncerScript", an "images" list or "mirrors" rules (any of them together)',
        'key',
      );
    const found = checkAuthHosts({
      index,
      hostname: hostname ?? str(r.hostname) ?? '',
      pullAuth: quietly(parseAuthSetting, r.pullAuthConfig),
      pushAuth: quietly(parseAuthSetting, r.pushAuthConfig),
      images,
      mirrors,
      sourceAuths,
    });
    problems.push(...found.problems);
    warnings.push(...found.warnings);
  });
  problems.push(...checkTargetKeys(root.targets, new Set(seen.keys())));
  const api = obj(root.api);
  // A token of the wrong type is the schema's to report; "empty" would be a second, wrong reason.
  const token = api.authToken;
  if (api.enableAuth === true && (token === undefined || (typeof token === 'string' && token.trim() === '')))
    add(['api', 'authToken'], 'enableAuth is true but authToken is empty', 'key');
  return { problems, warnings };
}

/**
 * `sources:` keys are normalised like a reference's registry (and namespace), so `Quay.io` and `quay.io` would be
 * one entry: the second is a problem. Returns each host's auth, for the pull-side checks.
 */
function checkSources(raw: unknown, problems: PathProblem[], warnings: PathProblem[]): Map<string, AuthSetting | undefined> {
  const auths = new Map<string, AuthSetting | undefined>();
  for (const { key, host, value } of hostKeyedEntries('sources', raw, problems)) {
    const auth = quietly(parseAuthSetting, obj(value).auth);
    // Pull side: a warning (the host's images are then pulled with pullAuthConfig, or anonymously).
    const registry = host.split('/')[0] ?? host;
    if (auth?.kind === 'docker-config' && !authCovers(auth, registry)) {
      warnings.push({
        path: ['sources', key, 'auth'],
        at: 'value',
        message: `DockerConfigJSON has no entry for "${registry}" (${listedHosts(auth.auths, auth.credHelpers)}): this auth is never used`,
      });
    }
    auths.set(host, auth);
  }
  return auths;
}
