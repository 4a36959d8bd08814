import { createCipheriv, createHash } from 'node:crypto';

const CHUNK = 1024 * 1024;

/**
 * Deterministic, incompressible bytes: the AES-256-CTR keystream keyed by sha256(seed). AES-NI makes
 * this run at GB/s, so a 110 MB layer costs well under a second, and chunks keep memory flat.
 */
export function* randomChunks(seed: string, size: number): Generator<Buffer> {
  const key = createHash('sha256').update(`picture-book:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  for (let left = size; left > 0; left -= CHUNK) {
    yield cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
  }
}
