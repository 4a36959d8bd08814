import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ContentError } from '../errors/index.js';

/**
 * Passes blob bytes through unchanged while hashing and counting them. At the end it fails the
 * stream if the bytes do not match the expected digest or size, so the upload it feeds is never
 * completed with wrong content.
 */
export class DigestVerifier extends Transform {
  #hash: Hash;
  #expected: string;
  #expectedSize: number;
  #transferred = 0;
  #onProgress: (transferred: number) => void;

  constructor(expectedDigest: string, expectedSize: number, onProgress: (transferred: number) => void = () => {}) {
    // Large chunks through the pipe: fewer callbacks per byte on fast loopback links.
    super({ highWaterMark: 1024 * 1024 });
    const algorithm = expectedDigest.split(':')[0] ?? '';
    if (algorithm !== 'sha256' && algorithm !== 'sha512') {
      throw new ContentError('DIGEST_MISMATCH', `unsupported digest algorithm in ${expectedDigest}`);
    }
    this.#hash = createHash(algorithm);
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
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = `${this.#expected.split(':')[0]}:${this.#hash.digest('hex')}`;
    if (this.#expectedSize >= 0 && this.#transferred !== this.#expectedSize) {
      callback(new ContentError('SIZE_MISMATCH', `blob ${this.#expected}: got ${this.#transferred} bytes, expected ${this.#expectedSize}`));
    } else if (actual !== this.#expected) {
      callback(new ContentError('DIGEST_MISMATCH', `blob ${this.#expected}: content hashes to ${actual}`));
    } else {
      callback();
    }
  }
}
