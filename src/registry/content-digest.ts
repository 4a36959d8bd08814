import { createHash } from 'node:crypto';
import { ContentError } from '../errors/index.js';
import { digestProblem } from '../reference/index.js';

/** The algorithms whose content we can verify. A digest we cannot check is never trusted. */
const VERIFIABLE = new Set(['sha256', 'sha512']);

/** A hostile value quoted in a message: JSON-escaped (no terminal escapes) and cut short. */
export function quoted(value: unknown): string {
  const json = JSON.stringify(value) as string | undefined; // undefined for undefined, functions and symbols
  const text = json ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/**
 * `value` as a digest, or a DIGEST_INVALID error naming `where` it came from. Every digest read
 * from a registry (a descriptor, a header, a body) goes through here before any use: a digest
 * becomes a URL path segment, and `sha512:aa/../../other/repo` would otherwise leave the repository.
 */
export function checkedDigest(value: unknown, where: string): string {
  const problem = typeof value === 'string' ? digestProblem(value) : 'is not a string';
  if (problem !== undefined) throw new ContentError('DIGEST_INVALID', `${where}: digest ${quoted(value)} is not valid (${problem})`);
  return value as string;
}

/** The algorithm of a checked digest, or DIGEST_UNSUPPORTED when we cannot verify it. */
export function verifiableAlgorithm(digest: string, where: string): 'sha256' | 'sha512' {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (!VERIFIABLE.has(algorithm)) {
    throw new ContentError(
      'DIGEST_UNSUPPORTED',
      `${where}: digest algorithm "${algorithm}" is not supported (sha256 and sha512 are), so its content cannot be verified`,
    );
  }
  return algorithm as 'sha256' | 'sha512';
}

export function digestOf(bytes: Buffer, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws DIGEST_MISMATCH unless `bytes` hash to `expected` (a checked digest) with its own algorithm. */
export function verifyBytes(bytes: Buffer, expected: string, where: string): void {
  const actual = digestOf(bytes, verifiableAlgorithm(expected, where));
  if (actual !== expected) throw new ContentError('DIGEST_MISMATCH', `${where}: received bytes hash to ${actual}, expected ${expected}`);
}
