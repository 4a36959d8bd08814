import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { QueueSettings } from '../config/index.js';
import { ConfigError, PictureBookError } from '../errors/index.js';

/** The environment variable that holds the queue key when no `queue.keyFile` is given. */
export const QUEUE_KEY_ENV = 'PICTURE_BOOK_QUEUE_KEY';
/** A key shorter than this is refused: `openssl rand -hex 32` gives 64 characters. */
const MIN_KEY_CHARACTERS = 32;

/**
 * The AES-256 key of the queue's sealed job data, shared by `sync` and every worker: the text of
 * `queue.keyFile` (relative to the config file) or of $PICTURE_BOOK_QUEUE_KEY, hashed to 32 bytes.
 * Undefined when neither is set. The key itself is never quoted.
 */
export function queueKey(
  settings: Pick<QueueSettings, 'keyFile'> | undefined,
  configFile: string,
  env: NodeJS.ProcessEnv,
): Buffer | undefined {
  let text: string | undefined;
  let where: string;
  if (settings?.keyFile !== undefined) {
    const path = resolve(dirname(configFile), settings.keyFile);
    where = `queue.keyFile (${path})`;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError([{ file: configFile, line: 0, column: 0, path: 'queue.keyFile', message: `${path} cannot be read (${code})` }]);
    }
  } else {
    text = env[QUEUE_KEY_ENV];
    where = `$${QUEUE_KEY_ENV}`;
  }
  if (text === undefined) return undefined;
  const key = text.trim();
  if (key.length < MIN_KEY_CHARACTERS) {
    throw new PictureBookError(
      'CONFIG_INVALID',
      `${where}: the queue key has ${key.length} characters, fewer than ${MIN_KEY_CHARACTERS} (make one with: openssl rand -hex 32)`,
    );
  }
  return createHash('sha256').update(key, 'utf8').digest();
}
