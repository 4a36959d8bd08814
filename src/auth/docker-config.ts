import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError } from '../errors/index.js';
import { Credentials } from './credentials.js';

/** Registry host (normalised) -> credentials, as a DockerConfigJSON `auths` object gives them. */
export type DockerAuths = Map<string, Credentials>;

const HUB_KEYS = new Set(['index.docker.io', 'registry-1.docker.io', 'docker.io', 'registry.hub.docker.com']);

/** `https://index.docker.io/v1/` -> `docker.io`; `http://127.0.0.1:5000/v2/` -> `127.0.0.1:5000`. */
export function normaliseAuthKey(key: string): string {
  const host = key.trim().replace(/^[a-z]+:\/\//i, '').split('/')[0]?.toLowerCase() ?? '';
  return HUB_KEYS.has(host) ? 'docker.io' : host;
}

function decodeDocument(doc: string): unknown {
  const text = doc.trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new CredentialsError('DockerConfigJSON is not valid JSON');
    }
  }
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(text) || !decoded.trim().startsWith('{')) {
    throw new CredentialsError('DockerConfigJSON is neither JSON nor base64-encoded JSON');
  }
  try {
    return JSON.parse(decoded);
  } catch {
    throw new CredentialsError('DockerConfigJSON (base64-decoded) is not valid JSON');
  }
}

/** Parses a DockerConfigJSON document, raw or base64: `{"auths": {host: {auth} | {username, password}}}`. */
export function parseDockerConfig(doc: string): DockerAuths {
  const parsed = decodeDocument(doc) as { auths?: unknown };
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.auths !== 'object' || parsed.auths === null) {
    throw new CredentialsError('DockerConfigJSON has no "auths" object');
  }
  const auths: DockerAuths = new Map();
  for (const [key, value] of Object.entries(parsed.auths as Record<string, unknown>)) {
    const entry = value as { auth?: unknown; username?: unknown; password?: unknown } | null;
    if (typeof entry !== 'object' || entry === null) throw new CredentialsError(`DockerConfigJSON entry "${key}" is not an object`);
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const pair = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = pair.indexOf(':');
      if (colon <= 0) throw new CredentialsError(`DockerConfigJSON entry "${key}": "auth" must be base64 of "username:password"`);
      auths.set(normaliseAuthKey(key), new Credentials(pair.slice(0, colon), pair.slice(colon + 1)));
    } else if (typeof entry.username === 'string' && typeof entry.password === 'string') {
      auths.set(normaliseAuthKey(key), new Credentials(entry.username, entry.password));
    } else if (Object.keys(entry).length > 0) {
      throw new CredentialsError(`DockerConfigJSON entry "${key}" needs "auth" or "username" and "password"`);
    }
  }
  return auths;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; a missing file means no credentials. */
export async function readDockerConfigFile(env: NodeJS.ProcessEnv = process.env): Promise<DockerAuths> {
  const dir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT' || (error as { code?: string }).code === 'ENOTDIR') return new Map();
    throw new CredentialsError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const doc = JSON.parse(text) as { auths?: unknown };
    // A config without auths (only credHelpers, say) is fine: nothing to use here.
    if (!doc.auths) return new Map();
    return parseDockerConfig(text);
  } catch (error) {
    throw new CredentialsError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
