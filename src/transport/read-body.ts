import type { Readable } from 'node:stream';
import { PictureBookError, type ErrorCode } from '../errors/index.js';

/**
 * Reads a small response body (manifests, JSON, error bodies) with a hard size cap so a hostile or
 * broken server cannot make us buffer gigabytes. Blobs are never read through here. `code` names
 * the failure for the caller's kind of body (a manifest over the limit is an invalid manifest).
 */
export async function readBodyLimited(
  body: Readable,
  limit: number,
  what: string,
  code: ErrorCode = 'RESPONSE_TOO_LARGE',
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > limit) {
      body.destroy();
      throw new PictureBookError(code, `${what} is larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Drains and discards a body so its connection goes back to the pool. Events, not `for await`:
 * a no-change run discards one empty HEAD body per request, and an async iterator per body was a
 * tenth of a HEAD's CPU. An error while throwing a body away changes nothing for the caller.
 */
export function discardBody(body: Readable): Promise<void> {
  if (body.readableEnded || body.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    body
      .on('error', () => resolve())
      .once('end', () => resolve())
      .once('close', () => resolve());
    body.resume();
  });
}
