import { parseUserPass, type Credentials } from '../auth/credentials.js';
import { parseDockerConfigWithHelpers } from '../auth/docker-config.js';
import { coversHost } from '../auth/helper-credentials.js';
import type { AuthSetting } from './types.js';

/**
 * Reads an auth value in either seed form: a DockerConfigJSON document (raw JSON or base64, which
 * the first seed uses) or `username:password` (the second). '' means anonymous.
 * Throws CredentialsError whose message never contains the secret.
 */
export function parseAuthSetting(value: string): AuthSetting | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (text.startsWith('{') || looksLikeBase64Json(text)) return { kind: 'docker-config', ...parseDockerConfigWithHelpers(text) };
  return { kind: 'userpass', credentials: parseUserPass(value) };
}

function looksLikeBase64Json(text: string): boolean {
  if (!/^[A-Za-z0-9+/=_-]{8,}$/.test(text)) return false;
  return Buffer.from(text, 'base64').toString('utf8').trimStart().startsWith('{');
}

/** Credentials an auth setting gives for one host: `user:pass` applies anywhere, a DockerConfigJSON by host (its helpers aside). */
export function credentialsFor(setting: AuthSetting | undefined, host: string): Credentials | undefined {
  if (!setting) return undefined;
  if (setting.kind === 'userpass') return setting.credentials;
  return setting.auths.get(host);
}

/** Whether an auth setting has anything for a host: `user:pass`, an `auths` entry, or a credential helper to ask. */
export function authCovers(setting: AuthSetting | undefined, host: string): boolean {
  if (!setting) return false;
  return setting.kind === 'userpass' || coversHost(setting, host);
}
