import type { IncomingMessage } from 'node:http';

/** The most of a refused body that is read (and dropped) so that its sender gets the answer. */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
/** How long a refused body may take to arrive before the answer goes anyway. */
export const DRAIN_TIMEOUT_MS = 5_000;

/**
 * Reads what is left of a request's body and drops it, before an answer that refuses it (413). An
 * answer sent while the client still writes its body ends with Node closing the connection
 * (`connection: close`) under that client, which then fails to send (EPIPE, "fetch failed": seen
 * for 6 requests in 10 of a 2 MiB body) and never reads the answer. Past `limit` bytes or
 * `timeoutMs`, the answer goes anyway and the connection is closed after it.
 */
export function drainRequest(request: IncomingMessage, limit = DRAIN_LIMIT_BYTES, timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
  if (request.complete || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    const done = (): void => {
      clearTimeout(timer);
      request.off('data', onData).off('end', done).off('error', done).off('close', done);
      if (!request.complete) request.pause();
      resolve();
    };
    const onData = (chunk: Buffer | string): void => {
      read += chunk.length;
      if (read > limit) done();
    };
    const timer = setTimeout(done, timeoutMs);
    request.on('data', onData).once('end', done).once('error', done).once('close', done);
    request.resume();
  });
}
