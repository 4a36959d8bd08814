import { PictureBookError } from './picture-book-error.js';

/** The registry could not be reached or the connection broke (DNS, refused, reset, TLS, timeout). */
export class NetworkError extends PictureBookError {
  readonly method: string;
  readonly url: string;

  constructor(method: string, url: string, detail: string, options?: { cause?: unknown }) {
    super('NETWORK', `${method} ${url}: ${detail}`, options);
    this.method = method;
    this.url = url;
  }
}
