import { PictureBookError, type ErrorCode } from '../errors/index.js';

/** The history database cannot be opened or used (unreadable file, not a database, newer schema, unknown id). */
export class StoreError extends PictureBookError {
  constructor(
    code: Extract<ErrorCode, 'STORE_OPEN_FAILED' | 'STORE_PATH_INVALID' | 'STORE_SCHEMA_TOO_NEW' | 'STORE_NOT_FOUND'>,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
