import { PictureBookError } from './picture-book-error.js';

/**
 * The registry answered, but not as the distribution API says it must (an upload answer without
 * `Location`, a listing page that is not a JSON object): a broken server or a proxy in between.
 */
export class ProtocolError extends PictureBookError {
  constructor(message: string) {
    super('PROTOCOL', message);
  }
}
