import type { ContentErrorCode } from './error-code.js';
import { PictureBookError } from './picture-book-error.js';

/** Bytes that do not match their digest or size, or a manifest we cannot understand. */
export class ContentError extends PictureBookError {
  constructor(code: ContentErrorCode, message: string) {
    super(code, message);
  }
}
