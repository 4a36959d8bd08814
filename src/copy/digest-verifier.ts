import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ContentError } from '../errors/index.js';
import { verifiableAlgorithm } from '../registry/index.js';

/** How often the hash state is saved: an upload resumed at any offset re-reads at most this much. */
const CHECKPOINT_BYTES = 16 * 1024 * 1024;

/** The hash state after the first `offset` bytes. */
interface Checkpoint {
  offset: number;
  hash: Hash;
}

/**
 * Passes blob bytes through unchanged while hashing and counting them. The last chunk is held
 * back until the digest and size are checked: on a mismatch the stream fails with that chunk
 * unsent, so the upload it feeds never completes with wrong content, whatever the registry checks.
 * Hash states are checkpointed as bytes flow, so an upload can resume mid-blob (see resumeAt).
 */
export class DigestVerifier extends Transform {
  #hash: Hash;
  #expected: string;
  #expectedSize: number;
  #transferred = 0;
  #onProgress: (transferred: number) => void;
  /** The newest chunk: passed on when the next one comes, or at the end once verified. */
  #held: Buffer | undefined;
  #checkpoints: Checkpoint[];
  /** Bytes still to hash but not pass on: the target holds them already. */
  #skip = 0;

  constructor(expectedDigest: string, expectedSize: number, onProgress: (transferred: number) => void = () => {}) {
    // Shallow buffers: chunks still queued when a scavenge runs are promoted, and their memory
    // then waits for a full GC. Sixteen streams with 1 MiB each side forced dozens per run.
    super({ highWaterMark: 64 * 1024 });
    this.#hash = createHash(verifiableAlgorithm(expectedDigest, `blob ${expectedDigest}`));
    this.#expected = expectedDigest;
    this.#expectedSize = expectedSize;
    this.#onProgress = onProgress;
    this.#checkpoints = [{ offset: 0, hash: this.#hash.copy() }];
  }

  /**
   * A verifier for the same blob that goes on from the last checkpoint at or before `offset` (where
   * the target's upload session stands). Its input must start at `readFrom`, the checkpoint; the
   * bytes from there to `offset` are hashed but not passed on, so its output starts at `offset`.
   */
  resumeAt(offset: number): { verifier: DigestVerifier; readFrom: number } {
    const usable = this.#checkpoints.filter((c) => c.offset <= offset);
    const checkpoint = usable[usable.length - 1] ?? { offset: 0, hash: createHash(this.#expected.split(':')[0] ?? 'sha256') };
    const next = new DigestVerifier(this.#expected, this.#expectedSize, this.#onProgress);
    next.#hash = checkpoint.hash.copy();
    next.#transferred = checkpoint.offset;
    next.#skip = offset - checkpoint.offset;
    next.#checkpoints = usable;
    return { verifier: next, readFrom: checkpoint.offset };
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
    const last = this.#checkpoints[this.#checkpoints.length - 1]?.offset ?? 0;
    if (this.#transferred - last >= CHECKPOINT_BYTES) this.#checkpoints.push({ offset: this.#transferred, hash: this.#hash.copy() });
    const skipped = Math.min(this.#skip, chunk.length);
    this.#skip -= skipped;
    const out = skipped > 0 ? chunk.subarray(skipped) : chunk;
    if (out.length === 0) {
      callback();
      return;
    }
    const previous = this.#held;
    this.#held = out;
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
