import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ContentError } from '../errors/index.js';
import { verifiableAlgorithm } from '../registry/index.js';

export interface DigestCheckOptions {
  digest: string;
  size: number;
  /** The file read or written, named by every message. */
  file: string;
  /** Where the bytes start (a ranged read): only a read from 0 can be hashed. */
  from?: number;
  /** The bytes are being written to `file` (they came from elsewhere), not read from it. */
  writing?: boolean;
}

/**
 * Passes bytes through while hashing and counting them, and fails at the end when they are not
 * `digest` and `size`: the message names the file, so a flipped byte on a disk points at the file
 * holding it.
 */
export class DigestCheck extends Transform {
  #hash: Hash | undefined;
  #digest: string;
  #size: number;
  #file: string;
  #writing: boolean;
  #count: number;

  constructor(options: DigestCheckOptions) {
    super({ highWaterMark: 64 * 1024 });
    const from = options.from ?? 0;
    this.#hash = from === 0 ? createHash(verifiableAlgorithm(options.digest, `blob ${options.digest}`)) : undefined;
    this.#digest = options.digest;
    this.#size = options.size;
    this.#file = options.file;
    this.#writing = options.writing === true;
    this.#count = from;
  }

  /** Bytes seen so far (counting from 0, whatever `from` was). */
  get count(): number {
    return this.#count;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash?.update(chunk);
    this.#count += chunk.length;
    if (this.#size >= 0 && this.#count > this.#size) {
      callback(new ContentError('SIZE_MISMATCH', `blob ${this.#digest} in ${this.#file}: more than the expected ${this.#size} bytes`));
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#size >= 0 && this.#count !== this.#size) {
      callback(new ContentError('SIZE_MISMATCH', `blob ${this.#digest} in ${this.#file}: ${this.#count} bytes, expected ${this.#size}`));
      return;
    }
    const actual = this.#hash ? `${this.#digest.slice(0, this.#digest.indexOf(':'))}:${this.#hash.digest('hex')}` : this.#digest;
    if (actual !== this.#digest) {
      const what = this.#writing ? 'the bytes received hash' : "the file's content hashes";
      const hint = this.#writing ? '' : ' (damaged on the disk?)';
      callback(new ContentError('DIGEST_MISMATCH', `blob ${this.#digest} in ${this.#file}: ${what} to ${actual}${hint}`));
      return;
    }
    callback();
  }
}
