import { PictureBookError } from './picture-book-error.js';

/** Credentials given in a form we cannot use. The message never contains the secret. */
export class CredentialsError extends PictureBookError {
  constructor(message: string) {
    super('CREDENTIALS_INVALID', message);
  }
}
