import { PictureBookError } from './picture-book-error.js';

export type ContentErrorCode =
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'MANIFEST_INVALID'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PLATFORM_NOT_FOUND'
  | 'PLATFORM_INVALID'
  /** A digest read from a manifest, header or body does not follow the digest grammar. */
  | 'DIGEST_INVALID'
  /** A well-formed digest whose algorithm we cannot verify (only sha256 and sha512 are). */
  | 'DIGEST_UNSUPPORTED'
  /** The target was named by a digest the source does not have (`copy SRC DST@sha256:X`). */
  | 'TARGET_DIGEST_MISMATCH';

/** Bytes that do not match their digest or size, or a manifest we cannot understand. */
export class ContentError extends PictureBookError {
  constructor(code: ContentErrorCode, message: string) {
    super(code, message);
  }
}
