export { PictureBookError } from './picture-book-error.js';
export { InvalidReferenceError } from './invalid-reference-error.js';
export { NetworkError } from './network-error.js';
export { HttpError, type RegistryErrorEntry } from './http-error.js';
export { AuthError } from './auth-error.js';
export { ContentError } from './content-error.js';
export { ConfigError, type ConfigProblem } from './config-error.js';
export { ImageNotFoundError } from './image-not-found-error.js';
export { CredentialsError } from './credentials-error.js';
