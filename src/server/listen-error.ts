import type { PictureBookConfig } from '../config/index.js';
import { errorMessage, PictureBookError } from '../errors/index.js';

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use (another picture-book sync, or another program, listens there)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: "the address is not one of this machine's",
};

/** Why the API could not bind, naming `host:port` and the keys that set them. */
export function listenError(error: unknown, api: PictureBookConfig['api'], file: string): PictureBookError {
  const code = (error as { code?: unknown }).code;
  const why = (typeof code === 'string' ? LISTEN_PROBLEMS[code] : undefined) ?? errorMessage(error);
  const where = api.host.includes(':') ? `[${api.host}]:${api.port}` : `${api.host}:${api.port}`;
  return new PictureBookError(
    'API_LISTEN_FAILED',
    `cannot listen on ${where}: ${why}; nothing was started (api.host / api.port in ${file})`,
    { cause: error },
  );
}
