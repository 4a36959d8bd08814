import { createHash } from 'node:crypto';
import type { AuthSetting, PictureBookConfig, RegistryConfig, SourceSettings } from '../config/index.js';

/** What a reload changed, by name: registries and sources added, removed or changed (which keys), other settings. */
export interface ConfigDiff {
  added: string[];
  removed: string[];
  /** Registries still configured whose settings changed, with the keys as written in the file. */
  changed: Array<{ registry: string; keys: string[] }>;
  unchanged: string[];
  sources: { added: string[]; removed: string[]; changed: Array<{ host: string; keys: string[] }> };
  /** Other keys that changed (`api.authToken`, `sync.timezone`, ...). */
  settings: string[];
}

/** File key names of RegistryConfig fields that differ from them. */
const FILE_KEYS: Record<string, string> = { pullAuth: 'pullAuthConfig', pushAuth: 'pushAuthConfig' };
const IGNORED = new Set(['hostname', 'line', 'sources', 'targets']);

/**
 * A value reduced to something comparable: secrets become a digest, so that a changed password is
 * seen as a change without the password being kept or shown anywhere.
 */
function comparable(value: unknown): string {
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  const auth = value as AuthSetting | undefined;
  if (auth?.kind === 'userpass') return `userpass:${auth.credentials.username}:${digest(auth.credentials.password)}`;
  if (auth?.kind === 'docker-config')
    return `docker-config:${[...auth.auths]
      .map(([host, c]) => `${host}=${c.username}:${digest(c.password)}`)
      .sort()
      .join(',')}|${JSON.stringify([...(auth.credHelpers ?? [])].sort())}|${auth.credsStore ?? ''}`;
  const json = JSON.stringify(value) as string | undefined; // undefined for undefined
  return json ?? 'undefined';
}

function changedKeys<T extends object>(before: T, after: T, ignored: ReadonlySet<string> = new Set()): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter(
    (key) =>
      !ignored.has(key) && comparable((before as Record<string, unknown>)[key]) !== comparable((after as Record<string, unknown>)[key]),
  );
}

function byKey<T>(entries: Iterable<[string, T]>): Map<string, T> {
  return new Map(entries);
}

function diffMaps<T extends object>(before: Map<string, T>, after: Map<string, T>, ignored?: ReadonlySet<string>) {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed: Array<{ name: string; keys: string[] }> = [];
  const unchanged: string[] = [];
  for (const [name, next] of after) {
    const previous = before.get(name);
    if (!previous) continue;
    const keys = changedKeys(previous, next, ignored);
    if (keys.length > 0) changed.push({ name, keys });
    else unchanged.push(name);
  }
  return { added, removed, changed, unchanged };
}

export function diffConfig(before: PictureBookConfig, after: PictureBookConfig): ConfigDiff {
  const registries = diffMaps(
    byKey<RegistryConfig>(before.registries.map((r) => [r.hostname, r])),
    byKey<RegistryConfig>(after.registries.map((r) => [r.hostname, r])),
    IGNORED,
  );
  const sources = diffMaps(byKey<SourceSettings>(before.sources ?? []), byKey<SourceSettings>(after.sources ?? []));
  const settings = (['api', 'state', 'sync', 'concurrency'] as const).flatMap((section) =>
    changedKeys(before[section], after[section]).map((key) => `${section}.${key}`),
  );
  if (before.display !== after.display) settings.push('display');
  // Compared whole and in memory only: a webhook's URL, headers and secret are never shown.
  if (comparable(before.notifications) !== comparable(after.notifications)) settings.push('notifications');
  return {
    added: registries.added,
    removed: registries.removed,
    changed: registries.changed.map(({ name, keys }) => ({ registry: name, keys: keys.map((k) => FILE_KEYS[k] ?? k) })),
    unchanged: registries.unchanged,
    sources: { added: sources.added, removed: sources.removed, changed: sources.changed.map(({ name, keys }) => ({ host: name, keys })) },
    settings,
  };
}

/** One line: `1 added (a), 1 removed (b), 2 changed (c: syncPeriod, images; d: pushAuthConfig), 2 unchanged; ...`. */
export function describeDiff(diff: ConfigDiff): string {
  const list = (names: string[], separator = ', ') => (names.length > 0 ? ` (${names.join(separator)})` : '');
  const changed = diff.changed.map((c) => `${c.registry}: ${c.keys.join(', ')}`);
  const parts = [
    `${diff.added.length} added${list(diff.added)}, ${diff.removed.length} removed${list(diff.removed)}, ${diff.changed.length} changed${list(changed, '; ')}, ${diff.unchanged.length} unchanged`,
  ];
  const { sources } = diff;
  if (sources.added.length + sources.removed.length + sources.changed.length > 0) {
    const changedSources = sources.changed.map((c) => `${c.host}: ${c.keys.join(', ')}`);
    parts.push(
      `sources: ${sources.added.length} added${list(sources.added)}, ${sources.removed.length} removed${list(sources.removed)}, ${sources.changed.length} changed${list(changedSources, '; ')}`,
    );
  }
  if (diff.settings.length > 0) parts.push(`settings changed: ${diff.settings.join(', ')}`);
  return parts.join('; ');
}
