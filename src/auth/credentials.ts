import { inspect } from 'node:util';
import { CredentialsError } from '../errors/index.js';

/**
 * A username and password that never leak by accident: JSON, string conversion and
 * util.inspect all show `***` instead of the password.
 */
export class Credentials {
  readonly username: string;
  #password: string;

  constructor(username: string, password: string) {
    this.username = username;
    this.#password = password;
  }

  get password(): string {
    return this.#password;
  }

  basicHeader(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.#password}`).toString('base64')}`;
  }

  toJSON(): { username: string; password: '***' } {
    return { username: this.username, password: '***' };
  }

  toString(): string {
    return `${this.username}:***`;
  }

  [inspect.custom](): string {
    return `Credentials { username: ${JSON.stringify(this.username)}, password: '***' }`;
  }
}

/** `user:pass`, split at the first ':' (passwords may contain ':'). */
export function parseUserPass(value: string): Credentials {
  const colon = value.indexOf(':');
  if (colon < 0) throw new CredentialsError('credentials must be "username:password" (no ":" found)');
  const username = value.slice(0, colon);
  if (username === '') throw new CredentialsError('credentials must be "username:password" (the username is empty)');
  return new Credentials(username, value.slice(colon + 1));
}
