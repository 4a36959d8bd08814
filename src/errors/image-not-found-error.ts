import { PictureBookError } from './picture-book-error.js';

/** The source registry has no manifest for this reference (unknown tag, digest or repository). */
export class ImageNotFoundError extends PictureBookError {
  readonly reference: string;

  constructor(reference: string, options?: { cause?: unknown }) {
    super('IMAGE_NOT_FOUND', `image ${reference} not found`, options);
    this.reference = reference;
  }
}
