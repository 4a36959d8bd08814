import { PictureBookError } from './picture-book-error.js';

/** Bytes that do not match their digest or size, or a manifest we cannot understand. */
export class ContentError extends PictureBookError {
  constructor(code: 'DIGEST_MISMATCH' | 'SIZE_MISMATCH' | 'MANIFEST_INVALID' | 'UNSUPPORTED_MEDIA_TYPE' | 'PLATFORM_NOT_FOUND' | 'PLATFORM_INVALID', message: string) {
    super(code, message);
  }
}
