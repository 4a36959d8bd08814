import type { ErrorCode } from './error-code.js';
import { PictureBookError } from './picture-book-error.js';

/** The codes of content problems (their meanings are in error-code.ts). */
export type ContentErrorCode = Extract<
  ErrorCode,
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'MANIFEST_INVALID'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PLATFORM_NOT_FOUND'
  | 'PLATFORM_INVALID'
  | 'DIGEST_INVALID'
  | 'DIGEST_UNSUPPORTED'
  | 'TARGET_DIGEST_MISMATCH'
>;

/** Bytes that do not match their digest or size, or a manifest we cannot understand. */
export class ContentError extends PictureBookError {
  constructor(code: ContentErrorCode, message: string) {
    super(code, message);
  }
}
