import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PictureBookError } from '../errors/index.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The format's version, first in the text: a later format can be told apart. */
const PREFIX = 'v1.';

/**
 * What a job carries that must not be read in Redis (a distribute request's credentials): JSON
 * sealed with AES-256-GCM under the queue key both `sync` and the workers hold. `context` (the
 * job's source and target) is authenticated with it, so a sealed box copied into another job does not open.
 */
export function seal(key: Buffer, context: string, value: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The sealed value; a QUEUE error (never quoting the box) when the key differs or the box was altered. */
export function unseal(key: Buffer, context: string, text: string, what: string): unknown {
  const raw = text.startsWith(PREFIX) ? Buffer.from(text.slice(PREFIX.length), 'base64') : Buffer.alloc(0);
  if (raw.length < IV_BYTES + TAG_BYTES)
    throw new PictureBookError('QUEUE', `${what}: the job's sealed credentials are not in a known format`);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as unknown;
  } catch {
    throw new PictureBookError(
      'QUEUE',
      `${what}: the job's sealed credentials do not open with this worker's queue key (queue.keyFile or PICTURE_BOOK_QUEUE_KEY must be the one \`sync\` has)`,
    );
  }
}
