import { InvalidReferenceError } from '../errors/index.js';

// distribution/reference: algorithm components start with a letter, joined by [-_+.];
// the hex part is at least 128 bits. Registered algorithms are checked more strictly below.
const DIGEST = /^([a-z][a-z0-9]*(?:[-_+.][a-z][a-z0-9]*)*):([0-9a-fA-F]{32,})$/;
// go-digest: registered algorithms have a fixed length of lowercase hex.
const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Why `value` is not a digest, or undefined when it is one. */
export function digestProblem(value: string): string | undefined {
  const match = DIGEST.exec(value);
  if (!match) return 'must look like sha256:<64 lowercase hex characters>';
  const algorithm = match[1] ?? '';
  const hex = match[2] ?? '';
  const length = HEX_LENGTH[algorithm];
  if (length !== undefined && (hex.length !== length || !/^[a-f0-9]+$/.test(hex))) {
    return `${algorithm} needs ${length} lowercase hex characters`;
  }
  return undefined;
}

/** Splits `algorithm:hex`. Other algorithms than sha256/384/512 pass when they follow the grammar. */
export function parseDigest(value: string): { algorithm: string; hex: string } {
  const problem = digestProblem(value);
  if (problem !== undefined) throw new InvalidReferenceError(value, 'digest', problem);
  const colon = value.indexOf(':');
  return { algorithm: value.slice(0, colon), hex: value.slice(colon + 1) };
}

export function isDigest(value: string): boolean {
  return digestProblem(value) === undefined;
}
