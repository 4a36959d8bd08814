import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError } from '../errors/index.js';
import { SCHEME } from '../errors/mask-userinfo.js';
import { dockerHubAlias } from '../reference/index.js';
import { Credentials } from './credentials.js';

/** Registry host (normalised with normaliseAuthKey) -> credentials, from a DockerConfigJSON `auths` object. */
export type DockerAuths = Map<string, Credentials>;

// Docker's `auth` is base64.StdEncoding; be lenient only about missing padding.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Host part of an auths key: drops a scheme and any path such as `/v1/`, `/v2/` or a podman-style namespace. */
export function normaliseAuthKey(key: string): string {
  return dockerHubAlias(key.trim().replace(SCHEME, '').split('/')[0]?.toLowerCase() ?? '');
}

/** True when the key names a whole registry, not a namespace inside one (`quay.io/org`, which podman allows). */
function isWholeRegistryKey(key: string): boolean {
  const path = key.trim().replace(SCHEME, '').split('/').slice(1).filter(Boolean);
  return path.length === 0 || (path.length === 1 && /^v[12]$/.test(path[0] ?? ''));
}

function decodeDocument(doc: string): unknown {
  const text = doc.trim();
  if (text.startsWith('{')) return parseJson(text, 'DockerConfigJSON is not valid JSON');
  // Tools wrap base64 at 76 columns; the line breaks are not part of the data.
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) throw new CredentialsError('DockerConfigJSON is neither JSON nor base64-encoded JSON');
  const decoded = Buffer.from(compact, 'base64').toString('utf8').trim();
  if (!decoded.startsWith('{')) throw new CredentialsError('DockerConfigJSON is neither JSON nor base64-encoded JSON');
  return parseJson(decoded, 'DockerConfigJSON (base64-decoded) is not valid JSON');
}

// JSON.parse's own message quotes the text around the error, which may be a secret: never pass it on.
function parseJson(text: string, message: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CredentialsError(message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One `auths` entry; undefined when it holds nothing we can use (`{}` next to a credsStore, identitytoken only). */
function entryCredentials(key: string, entry: unknown): Credentials | undefined {
  const where = `DockerConfigJSON entry "${key}"`;
  if (!isObject(entry)) throw new CredentialsError(`${where} is not an object`);
  const { auth, username, password } = entry;
  if (auth !== undefined && auth !== null && typeof auth !== 'string') throw new CredentialsError(`${where}: "auth" must be a string`);
  if (typeof auth === 'string' && auth !== '') {
    const compact = auth.trim();
    if (!BASE64.test(compact) || compact.length % 4 === 1) throw new CredentialsError(`${where}: "auth" is not valid base64`);
    const pair = Buffer.from(compact, 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    if (colon < 0) throw new CredentialsError(`${where}: "auth" must be base64 of "username:password" (no ":" after decoding)`);
    if (colon === 0) throw new CredentialsError(`${where}: "auth" has an empty username`);
    return new Credentials(pair.slice(0, colon), pair.slice(colon + 1));
  }
  const hasUser = typeof username === 'string' && username !== '';
  const hasPassword = typeof password === 'string';
  if (hasUser && hasPassword) return new Credentials(username, password);
  if (hasUser) throw new CredentialsError(`${where} has "username" but no "password"`);
  if (hasPassword && password !== '') throw new CredentialsError(`${where} has "password" but no "username"`);
  return undefined;
}

function authsOf(document: unknown): DockerAuths {
  if (!isObject(document) || !isObject(document.auths)) throw new CredentialsError('DockerConfigJSON has no "auths" object');
  const auths: DockerAuths = new Map();
  const entries = Object.entries(document.auths);
  // A whole-registry key wins over a namespace key of the same host, whatever the order in the file.
  const ordered = [...entries.filter(([key]) => isWholeRegistryKey(key)), ...entries.filter(([key]) => !isWholeRegistryKey(key))];
  for (const [key, entry] of ordered) {
    const credentials = entryCredentials(key, entry);
    const host = normaliseAuthKey(key);
    if (credentials && host !== '' && !auths.has(host)) auths.set(host, credentials);
  }
  return auths;
}

/** Parses a DockerConfigJSON document, raw or base64: `{"auths": {KEY: {auth} | {username, password}}}`. */
export function parseDockerConfig(doc: string): DockerAuths {
  return authsOf(decodeDocument(doc));
}

/**
 * Parses a DockerConfigJSON document with its credential helpers, as a docker config file has
 * them: `auths`, `credHelpers`, `credsStore`. It needs credentials in at least one of them.
 */
export function parseDockerConfigWithHelpers(doc: string): DockerConfigFile {
  const document = decodeDocument(doc);
  if (!isObject(document)) return { auths: authsOf(document), credHelpers: new Map(), credsStore: undefined };
  const helpers = helpersOf(document);
  if (document.auths === undefined && (helpers.credHelpers.size > 0 || helpers.credsStore !== undefined)) {
    return { auths: new Map(), ...helpers };
  }
  return { auths: authsOf(document), ...helpers };
}

/** What a docker config file says about credentials: its `auths`, and the helpers that hold the rest. */
export interface DockerConfigFile {
  auths: DockerAuths;
  /** `credHelpers`: host (normalised like an auths key) -> NAME of `docker-credential-NAME`. */
  credHelpers: Map<string, string>;
  /** `credsStore`: the helper for every host without a credHelpers entry (its `auths` entries are only markers then). */
  credsStore: string | undefined;
}

/** The helper names of a config file: strings of letters, digits, `-`, `_`, `.` (they become a program name). */
function helperName(value: unknown, where: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) {
    throw new CredentialsError(`${where} must be a helper name (docker-credential-NAME), like "ecr-login"`);
  }
  return value;
}

function helpersOf(document: Record<string, unknown>): Pick<DockerConfigFile, 'credHelpers' | 'credsStore'> {
  const credHelpers = new Map<string, string>();
  if (document.credHelpers !== undefined) {
    if (!isObject(document.credHelpers)) throw new CredentialsError('"credHelpers" is not an object');
    for (const [key, name] of Object.entries(document.credHelpers)) {
      credHelpers.set(normaliseAuthKey(key), helperName(name, `"credHelpers" entry "${key}"`));
    }
  }
  const store = document.credsStore;
  const credsStore = store === undefined || store === '' ? undefined : helperName(store, '"credsStore"');
  return { credHelpers, credsStore };
}

/**
 * Reads `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`. A missing file, or one
 * without `auths` (only a credsStore, say), means no credentials.
 */
export async function readDockerConfigFile(env: NodeJS.ProcessEnv = process.env): Promise<DockerAuths> {
  return (await readDockerConfig(env)).auths;
}

/** The docker config file with its credential helpers (`credHelpers`, `credsStore`); see readDockerConfigFile. */
export async function readDockerConfig(env: NodeJS.ProcessEnv = process.env): Promise<DockerConfigFile> {
  // Docker treats an empty DOCKER_CONFIG as unset.
  const dir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { auths: new Map(), credHelpers: new Map(), credsStore: undefined };
    throw new CredentialsError(`cannot read ${file}: ${typeof code === 'string' ? code : 'read failed'}`);
  }
  try {
    const document = parseJson(text, 'is not valid JSON');
    if (!isObject(document)) return { auths: authsOf(document), credHelpers: new Map(), credsStore: undefined };
    return { auths: document.auths === undefined ? new Map<string, Credentials>() : authsOf(document), ...helpersOf(document) };
  } catch (error) {
    throw new CredentialsError(`${file}: ${error instanceof Error ? error.message : 'is invalid'}`);
  }
}
