import { PictureBookError } from './picture-book-error.js';

/** An image reference that does not follow the distribution grammar. `part` names the bad piece. */
export class InvalidReferenceError extends PictureBookError {
  readonly input: string;
  readonly part: string;

  constructor(input: string, part: string, reason: string) {
    super('INVALID_REFERENCE', `invalid reference "${input}": ${part} ${reason}`);
    this.input = input;
    this.part = part;
  }
}
