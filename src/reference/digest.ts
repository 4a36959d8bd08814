import { InvalidReferenceError } from '../errors/index.js';

// distribution's digest grammar; sha256/sha512 additionally have a fixed hex length.
const DIGEST = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]{32,})$/;
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

export function parseDigest(value: string): { algorithm: string; hex: string } {
  const match = DIGEST.exec(value);
  if (!match) throw new InvalidReferenceError(value, 'digest', 'must look like sha256:<64 hex characters>');
  const algorithm = match[1] ?? '';
  const hex = match[2] ?? '';
  const length = HEX_LENGTH[algorithm];
  if (length !== undefined && !new RegExp(`^[a-f0-9]{${length}}$`).test(hex)) {
    throw new InvalidReferenceError(value, 'digest', `${algorithm} needs ${length} lowercase hex characters`);
  }
  return { algorithm, hex };
}

export function isDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}
