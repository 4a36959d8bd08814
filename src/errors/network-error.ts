import { PictureBookError } from './picture-book-error.js';

/**
 * The registry could not be reached or the connection broke (DNS, refused, reset, TLS, timeout).
 * Subclasses keep their own code (TIMEOUT, TLS) and are network errors all the same.
 */
export class NetworkError extends PictureBookError {
  readonly method: string;
  readonly url: string;

  constructor(method: string, url: string, detail: string, options?: { cause?: unknown; code?: 'TIMEOUT' | 'TLS' }) {
    super(options?.code ?? 'NETWORK', `${method} ${url}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.method = method;
    this.url = url;
  }
}
