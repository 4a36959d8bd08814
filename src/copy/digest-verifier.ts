import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ContentError } from '../errors/index.js';
import { verifiableAlgorithm } from '../registry/index.js';

/**
 * Passes blob bytes through unchanged while hashing and counting them. The last chunk is held
 * back until the digest and size are checked: on a mismatch the stream fails with that chunk
 * unsent, so the upload it feeds never completes with wrong content, whatever the registry checks.
 */
export class DigestVerifier extends Transform {
  #hash: Hash;
  #expected: string;
  #expectedSize: number;
  #transferred = 0;
  #onProgress: (transferred: number) => void;
  /** The newest chunk: passed on when the next one comes, or at the end once verified. */
  #held: Buffer | undefined;

  constructor(expectedDigest: string, expectedSize: number, onProgress: (transferred: number) => void = () => {}) {
    // Shallow buffers: chunks still queued when a scavenge runs are promoted, and their memory
    // then waits for a full GC. Sixteen streams with 1 MiB each side forced dozens per run.
    super({ highWaterMark: 64 * 1024 });
    this.#hash = createHash(verifiableAlgorithm(expectedDigest, `blob ${expectedDigest}`));
    this.#expected = expectedDigest;
    this.#expectedSize = expectedSize;
    this.#onProgress = onProgress;
  }

  get transferred(): number {
    return this.#transferred;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#transferred += chunk.length;
    if (this.#expectedSize >= 0 && this.#transferred > this.#expectedSize) {
      callback(new ContentError('SIZE_MISMATCH', `blob ${this.#expected}: more than the expected ${this.#expectedSize} bytes`));
      return;
    }
    this.#onProgress(this.#transferred);
    const previous = this.#held;
    this.#held = chunk;
    callback(null, previous);
  }

  override _flush(callback: TransformCallback): void {
    const actual = `${this.#expected.split(':')[0]}:${this.#hash.digest('hex')}`;
    if (this.#expectedSize >= 0 && this.#transferred !== this.#expectedSize) {
      callback(new ContentError('SIZE_MISMATCH', `blob ${this.#expected}: got ${this.#transferred} bytes, expected ${this.#expectedSize}`));
    } else if (actual !== this.#expected) {
      callback(new ContentError('DIGEST_MISMATCH', `blob ${this.#expected}: content hashes to ${actual}`));
    } else {
      callback(null, this.#held);
    }
    this.#held = undefined;
  }
}
