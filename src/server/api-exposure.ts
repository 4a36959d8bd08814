import type { PictureBookConfig } from '../config/index.js';
import { isLoopbackHost } from '../reference/index.js';

/** The warning due at start when anyone who can reach the API's address may use it without a token. */
export function apiExposureWarning(api: PictureBookConfig['api']): string | undefined {
  if (!api.enabled || api.enableAuth || isLoopbackHost(api.host)) return undefined;
  return `API authentication is off and the API listens on ${api.host}, beyond this machine: set api.enableAuth and api.authToken`;
}
