import { PictureBookError } from './picture-book-error.js';
import { reasonPhrase } from './reason-phrase.js';

/** One entry of a registry's JSON error body: `{"errors":[{"code","message","detail"}]}`. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

/**
 * The registry answered with an HTTP status we did not expect. `registryCode` is the first code
 * of the distribution error body (MANIFEST_UNKNOWN, BLOB_UNKNOWN, DENIED, ...) when there was one.
 * `url` never carries credentials or tokens.
 */
export class HttpError extends PictureBookError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly registryCode: string | undefined;
  readonly errors: RegistryErrorEntry[];
  /** The body on one line when it was not a registry error document. */
  readonly summary: string | undefined;
  /** The answer's `Retry-After`, in milliseconds from when it came, when it had one. */
  retryAfterMs: number | undefined;

  /**
   * Reads `METHOD URL: STATUS Reason phrase`, then the server's own words when it sent any: its
   * first registry error (`MANIFEST_UNKNOWN: manifest unknown`), else `summary` (its body, on one
   * line). A bodiless answer (every HEAD) says the status once. `subject` says who answered when it
   * is not the registry itself (e.g. `token service of HOST`).
   */
  constructor(init: { status: number; method: string; url: string; errors: RegistryErrorEntry[]; summary?: string; subject?: string }) {
    const first = init.errors[0];
    const words = first ? `${first.code}${first.message ? `: ${first.message}` : ''}` : init.summary?.trim();
    const phrase = reasonPhrase(init.status);
    const detail = words && words.toLowerCase() !== phrase.toLowerCase() ? `: ${words}` : '';
    const prefix = init.subject ? `${init.subject}: ` : '';
    super(init.status === 429 ? 'TOO_MANY_REQUESTS' : 'HTTP', `${prefix}${init.method} ${init.url}: ${init.status} ${phrase}${detail}`);
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.registryCode = first?.code;
    this.errors = init.errors;
    this.summary = init.summary;
  }

  /** The same answer, said to come from `subject` (e.g. `token service of HOST`). */
  about(subject: string): HttpError {
    return new HttpError({
      status: this.status,
      method: this.method,
      url: this.url,
      errors: this.errors,
      ...(this.summary !== undefined ? { summary: this.summary } : {}),
      subject,
    });
  }
}
