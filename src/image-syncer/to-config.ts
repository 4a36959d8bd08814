import { stringify } from 'yaml';
import type { RegistryConfig } from '../config/index.js';
import { matchSourceKey } from '../config/source-key.js';
import type { AuthEntry } from './auth-file.js';

export interface ImportedConfig {
  /** config.yaml text. */
  yaml: string;
  /** Variables the written config reads its credentials from, in order. */
  variables: string[];
  /** What config.yaml cannot say the way the auth file did. */
  notes: string[];
}

/** `quay.io/coreos` -> `QUAY_IO_COREOS`: the stem of generated variable names. */
const stem = (key: string): string =>
  key
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** `${USER}:${PASS}` for an entry with credentials: its own variables where it named them, generated names otherwise. */
function authOf(entry: AuthEntry, variables: string[]): string | undefined {
  const named = entry.usernameVariable !== undefined || entry.passwordVariable !== undefined;
  if (entry.username === '' && entry.password === '' && !named) return undefined;
  const user = entry.usernameVariable ?? `IMAGE_SYNCER_${stem(entry.key)}_USERNAME`;
  const pass = entry.passwordVariable ?? `IMAGE_SYNCER_${stem(entry.key)}_PASSWORD`;
  for (const name of [user, pass]) if (!variables.includes(name)) variables.push(name);
  return `\${${user}}:\${${pass}}`;
}

/**
 * An equivalent config.yaml for image-syncer's files: a registry entry per destination host with
 * the rules as `mirrors:` (and `retries`), the auth entries as `sources:` (host or host/namespace,
 * longest match) and each destination host's own entry as its `pushAuthConfig`. Credentials are
 * `${VAR}` placeholders, never the values.
 */
export function importedConfig(registries: readonly RegistryConfig[], auth: readonly AuthEntry[], header: string): ImportedConfig {
  const variables: string[] = [];
  const notes: string[] = [];
  const byKey = new Map(auth.map((entry) => [entry.key, entry]));
  const sources: Record<string, Record<string, unknown>> = {};
  for (const entry of auth) {
    const value = authOf(entry, variables);
    sources[entry.key] = { ...(entry.insecure ? { insecure: true } : {}), ...(value ? { auth: value } : {}) };
  }
  const entries = registries.map((registry) => {
    const own = matchSourceKey(byKey, registry.hostname);
    const push = own ? authOf(own, variables) : undefined;
    const namespaced = auth.filter((entry) => entry.key.startsWith(`${registry.hostname}/`));
    if (namespaced.length > 0)
      notes.push(
        `${registry.hostname}: pushes use its host entry; config.yaml has no per-namespace push credentials (${namespaced.map((e) => e.written).join(', ')} apply to pulls only)`,
      );
    return {
      hostname: registry.hostname,
      ...(own?.insecure ? { insecure: true } : {}),
      ...(push ? { pushAuthConfig: push } : {}),
      ...(registry.retries ? { retries: registry.retries } : {}),
      mirrors: (registry.mirrors ?? []).map(({ label: _label, ...rule }) => rule),
    };
  });
  const body = stringify(
    { registries: entries, ...(auth.length > 0 ? { sources } : {}) },
    { lineWidth: 0, defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' },
  );
  const lines = [`# ${header}`];
  if (variables.length > 0) lines.push(`# credentials are read from: ${variables.join(', ')}`);
  for (const note of notes) lines.push(`# note: ${note}`);
  return { yaml: `${lines.join('\n')}\n${body}`, variables, notes };
}
