import { maskUserinfo } from './mask-userinfo.js';
import { PictureBookError } from './picture-book-error.js';

/**
 * An image reference that does not follow the distribution grammar. `part` names the bad piece.
 * The quoted input has any `user:password@` masked: a reference is echoed in logs and API output.
 */
export class InvalidReferenceError extends PictureBookError {
  readonly input: string;
  readonly part: string;

  constructor(input: string, part: string, reason: string) {
    const shown = maskUserinfo(input);
    super('INVALID_REFERENCE', `invalid reference "${shown}": ${part} ${reason}`);
    this.input = shown;
    this.part = part;
  }
}
