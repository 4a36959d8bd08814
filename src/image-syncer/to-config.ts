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
 * longest match), each destination host's own entry as its `pushAuthConfig` and the namespace
 * entries under a destination host as `targets:` (push side, longest match). Credentials are
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
  const targets: Record<string, { auth: string }> = {};
  const entries = registries.map((registry) => {
    const own = matchSourceKey(byKey, registry.hostname);
    const push = own ? authOf(own, variables) : undefined;
    for (const entry of auth.filter((e) => e.key.startsWith(`${registry.hostname}/`))) {
      const value = authOf(entry, variables);
      if (value) targets[entry.key] = { auth: value };
      // image-syncer pushes anonymously there; config.yaml falls back to the host's pushAuthConfig.
      else if (push)
        notes.push(`${entry.written}: no credentials, so pushes there use ${registry.hostname}'s own (image-syncer pushes anonymously)`);
      if (entry.insecure !== (own?.insecure ?? false))
        notes.push(
          `${entry.written}: insecure applies to the whole host ${registry.hostname} on the push side (the registry entry's own insecure)`,
        );
    }
    return {
      hostname: registry.hostname,
      ...(own?.insecure ? { insecure: true } : {}),
      ...(push ? { pushAuthConfig: push } : {}),
      ...(registry.retries ? { retries: registry.retries } : {}),
      mirrors: (registry.mirrors ?? []).map(({ label: _label, ...rule }) => rule),
    };
  });
  const body = stringify(
    { registries: entries, ...(auth.length > 0 ? { sources } : {}), ...(Object.keys(targets).length > 0 ? { targets } : {}) },
    { lineWidth: 0, defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' },
  );
  const lines = [`# ${header}`];
  if (variables.length > 0) lines.push(`# credentials are read from: ${variables.join(', ')}`);
  for (const note of notes) lines.push(`# note: ${note}`);
  return { yaml: `${lines.join('\n')}\n${body}`, variables, notes };
}
