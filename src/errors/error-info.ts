import type { ErrorCode } from './error-code.js';
import { PictureBookError } from './picture-book-error.js';

/** What anything thrown says: its message (whatever was thrown, as text when it was not an Error). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Anything thrown as the `{code, message}` that events, the run history and the API carry: a
 * PictureBookError's own code, INTERNAL for anything else (a bug, not a failure we foresaw).
 */
export function errorInfo(error: unknown): { code: ErrorCode; message: string } {
  return { code: error instanceof PictureBookError ? error.code : 'INTERNAL', message: errorMessage(error) };
}
