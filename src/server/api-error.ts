import { PictureBookError } from '../errors/index.js';

/** An answer other than success: HTTP status plus the `{error: {code, message}}` body. */
export class ApiError extends PictureBookError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
