import { PictureBookError } from './picture-book-error.js';

/**
 * Credentials were refused, a token could not be obtained, or access was denied.
 * The message names the registry and the scope, never the credentials themselves.
 */
export class AuthError extends PictureBookError {
  readonly registry: string;
  readonly status: number | undefined;

  constructor(registry: string, message: string, status?: number, options?: { cause?: unknown }) {
    super(status === 403 ? 'DENIED' : 'UNAUTHORIZED', `${registry}: ${message}`, options);
    this.registry = registry;
    this.status = status;
  }
}
