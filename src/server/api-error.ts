import { PictureBookError, type ErrorCode } from '../errors/index.js';

/** An answer other than success: HTTP status plus the `{error: {code, message}}` body. */
export class ApiError extends PictureBookError {
  readonly status: number;
  /** Extra response headers, e.g. `Allow` on a 405. */
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.status = status;
    this.headers = headers;
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
