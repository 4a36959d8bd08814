import { Readable } from 'node:stream';
import { NetworkError } from '../errors/index.js';
import type { ContentRepository, Descriptor } from '../registry/index.js';
import { isRetryableNetworkError, toNetworkError } from '../transport/index.js';
import { destroyQuietly } from './destroy-quietly.js';

/** Resumes of one read before its break counts as a failure of the whole blob. */
const MAX_RESUMES = 5;

/**
 * The bytes of `blob` from byte `from` on, as one stream. When the source's connection breaks
 * mid-body, the read goes on with `Range: bytes=N-` from the byte it reached, so whoever consumes
 * the stream (the digest check, the upload) never sees the break. A source that ignores ranges
 * fails the stream instead, and the whole blob is restarted. The first request is made before
 * this returns, so a missing blob fails here rather than inside an upload already begun.
 */
export async function openBlobSource(
  source: ContentRepository,
  blob: Descriptor,
  from: number,
  onResume: (offset: number, reason: string) => void,
): Promise<Readable> {
  let body = from === 0 ? (await source.getBlob(blob.digest, blob.size)).stream : await rangeFrom(source, blob, from);
  async function* read(): AsyncGenerator<Buffer> {
    let offset = from;
    let chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      for (let resumes = 0; ;) {
        let next: IteratorResult<Buffer>;
        // Only a failure to read the source is resumed: one thrown in at the yield below comes
        // from the consumer (the upload broke) and ends the read.
        try {
          next = await chunks.next();
        } catch (error) {
          if (resumes++ >= MAX_RESUMES || source.signal?.aborted || !isRetryableNetworkError(error) || offset >= blob.size) throw error;
          onResume(offset, toNetworkError('GET', `${source.where} blob ${blob.digest}`, error).message);
          body = await rangeFrom(source, blob, offset);
          chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
          continue;
        }
        if (next.done) return;
        offset += next.value.length;
        yield next.value;
      }
    } finally {
      destroyQuietly(body);
    }
  }
  const stream = Readable.from(read(), { objectMode: false });
  // Destroyed before its first read (a copy stopped at once), the generator never runs, nor its
  // finally: the response would stay open, and its request with it (a pool's close waits for it).
  stream.once('close', () => destroyQuietly(body));
  return stream;
}

async function rangeFrom(source: ContentRepository, blob: Descriptor, offset: number): Promise<Readable> {
  const rest = await source.getBlobFrom(blob.digest, offset, blob.size);
  if (!rest)
    throw new NetworkError(
      'GET',
      `${source.where} blob ${blob.digest}`,
      `cannot resume at byte ${offset}: the registry does not serve byte ranges`,
    );
  return rest;
}
