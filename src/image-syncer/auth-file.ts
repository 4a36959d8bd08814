import { isMap, isScalar, type YAMLMap } from 'yaml';
import { Credentials } from '../auth/credentials.js';
import { errorMessage } from '../errors/index.js';
import { parseSourceKey } from '../config/source-key.js';
import type { SourceMap, SourceSettings } from '../config/index.js';
import { HOST_DEFAULTS } from '../config/index.js';
import type { Place, Problems, SyncerFile } from './syncer-file.js';

const AUTH_KEYS = ['username', 'password', 'insecure'] as const;

/** One entry of an image-syncer auth file, checked and with `${env}` read. */
export interface AuthEntry {
  /** As written: `quay.io`, `quay.io/coreos`. */
  written: string;
  /** Normalised like a `sources:` key. */
  key: string;
  username: string;
  password: string;
  insecure: boolean;
  /** Variables the username and password came from, for the converter. */
  usernameVariable?: string;
  passwordVariable?: string;
  at: Place;
}

/** Read no variable, keep their names (the converter writes them back as placeholders). */
export const NAMES_ONLY: NodeJS.ProcessEnv = Object.freeze({});

/** `${env}` or `$env` as the whole value (image-syncer's form): the variable's name. */
export function variableOf(value: string): string | undefined {
  return /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1] ?? /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(value)?.[1];
}

function readValue(
  file: SyncerFile,
  map: YAMLMap,
  name: 'username' | 'password',
  path: string,
  env: NodeJS.ProcessEnv,
  problems: Problems,
  entryAt: Place,
): { value: string; variable?: string } {
  const node = map.get(name, true);
  const at = file.placeOf(node, entryAt);
  const text = node === undefined ? '' : (file.text(node, at, problems, `${path}.${name}`, name) ?? '');
  const variable = variableOf(text);
  if (variable === undefined) return { value: text };
  const value = env[variable];
  // image-syncer reads an unset variable as '': here it is said, since it would pull anonymously.
  if (value === undefined && env !== NAMES_ONLY) problems.add(at, `${path}.${name}`, `environment variable "${variable}" is not set`);
  return { value: value ?? '', variable };
}

/**
 * The entries of an auth mapping (an auth file, or the `auth:` of an older config file): keys
 * `registry` or `registry/namespace`, values with `username`, `password` (each may be `${env}` or
 * `$env`) and `insecure`. Unknown keys, bad hosts and wrong types are problems at their place.
 */
export function readAuth(file: SyncerFile, map: YAMLMap, problems: Problems, env: NodeJS.ProcessEnv, prefix = ''): AuthEntry[] {
  const entries: AuthEntry[] = [];
  const seen = new Map<string, string>();
  for (const { key, value, valueAt } of file.entries(map, problems, prefix)) {
    const path = `${prefix}${key.text}`;
    let normalised: string;
    try {
      normalised = parseSourceKey(key.text);
    } catch (error) {
      problems.add(key.at, path, errorMessage(error));
      continue;
    }
    const first = seen.get(normalised);
    if (first !== undefined) problems.add(key.at, path, `"${key.text}" is the same registry or namespace as "${first}"`);
    seen.set(normalised, key.text);
    if (!isMap(value)) {
      problems.add(valueAt, path, 'must be a mapping with username, password and insecure (each optional)');
      continue;
    }
    for (const item of file.entries(value, problems, path)) {
      if (!(AUTH_KEYS as readonly string[]).includes(item.key.text))
        problems.add(item.key.at, `${path}.${item.key.text}`, `unknown key "${item.key.text}" (an auth entry has ${AUTH_KEYS.join(', ')})`);
    }
    const insecureNode = value.get('insecure', true);
    let insecure = false;
    if (insecureNode !== undefined) {
      if (isScalar(insecureNode) && typeof insecureNode.value === 'boolean') insecure = insecureNode.value;
      else problems.add(file.placeOf(insecureNode, valueAt), `${path}.insecure`, 'must be true or false');
    }
    const username = readValue(file, value, 'username', path, env, problems, valueAt);
    const password = readValue(file, value, 'password', path, env, problems, valueAt);
    entries.push({
      written: key.text,
      key: normalised,
      username: username.value,
      password: password.value,
      insecure,
      ...(username.variable ? { usernameVariable: username.variable } : {}),
      ...(password.variable ? { passwordVariable: password.variable } : {}),
      at: key.at,
    });
  }
  return entries;
}

/** The auth entries as a `sources:` map: settings and credentials per host or host/namespace, longest match. */
export function authSources(entries: readonly AuthEntry[]): SourceMap {
  return new Map(
    entries.map((entry): [string, SourceSettings] => [
      entry.key,
      {
        ...HOST_DEFAULTS,
        insecure: entry.insecure,
        auth:
          entry.username === '' && entry.password === ''
            ? undefined
            : { kind: 'userpass', credentials: new Credentials(entry.username, entry.password) },
      },
    ]),
  );
}
