import { PictureBookError } from './picture-book-error.js';

/**
 * Credentials were refused, a token could not be obtained, or access was denied.
 * The message names the registry and the scope, never the credentials themselves.
 */
export class AuthError extends PictureBookError {
  readonly registry: string;
  readonly status: number | undefined;
  /**
   * A 401 on a request whose streamed body could not be sent again with a new token (a blob
   * upload): the token was dropped, and the caller may redo the whole operation once, which fetches
   * a new one. A token can stop working mid-run (revoked, a clock ahead): not a refusal yet.
   */
  retryWithNewToken = false;

  constructor(registry: string, message: string, status?: number, options?: { cause?: unknown }) {
    super(status === 403 ? 'DENIED' : 'UNAUTHORIZED', `${registry}: ${message}`, options);
    this.registry = registry;
    this.status = status;
  }
}
