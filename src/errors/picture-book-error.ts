import type { ErrorCode } from './error-code.js';

/**
 * Base class of every error the library throws. `code` is stable and machine-readable (one of
 * ErrorCode); `message` is one line a person can act on. Subclasses keep network, HTTP, auth,
 * config and content problems apart so callers can branch on `instanceof` or `code`.
 */
export class PictureBookError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
