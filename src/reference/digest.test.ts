import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidReferenceError } from '../errors/index.js';
import { isDigest, parseDigest } from './index.js';

const HEX64 = '0123456789abcdef'.repeat(4);

test('parseDigest splits algorithm and hex', () => {
  assert.deepEqual(parseDigest(`sha256:${HEX64}`), { algorithm: 'sha256', hex: HEX64 });
  assert.deepEqual(parseDigest(`sha384:${'c'.repeat(96)}`), { algorithm: 'sha384', hex: 'c'.repeat(96) });
  assert.deepEqual(parseDigest(`sha512:${'d'.repeat(128)}`), { algorithm: 'sha512', hex: 'd'.repeat(128) });
  // Unregistered algorithms pass when they follow the reference grammar (at least 32 hex characters).
  assert.deepEqual(parseDigest(`multihash+base58:${'e'.repeat(32)}`), { algorithm: 'multihash+base58', hex: 'e'.repeat(32) });
});

const invalid: Array<[string, string]> = [
  ['', 'must look like sha256:<64 lowercase hex characters>'],
  [HEX64, 'must look like sha256:<64 lowercase hex characters>'],
  [`:${HEX64}`, 'must look like sha256:<64 lowercase hex characters>'],
  [`sha256:${HEX64.slice(1)}`, 'sha256 needs 64 lowercase hex characters'],
  [`sha256:${HEX64.toUpperCase()}`, 'sha256 needs 64 lowercase hex characters'],
  [`sha256:${'g'.repeat(64)}`, 'must look like sha256:<64 lowercase hex characters>'],
  [`sha384:${HEX64}`, 'sha384 needs 96 lowercase hex characters'],
  [`1sha:${'e'.repeat(32)}`, 'must look like sha256:<64 lowercase hex characters>'],
  [`other:${'e'.repeat(31)}`, 'must look like sha256:<64 lowercase hex characters>'],
  [` sha256:${HEX64}`, 'must look like sha256:<64 lowercase hex characters>'],
];

for (const [value, reason] of invalid) {
  test(`parseDigest rejects ${JSON.stringify(value.slice(0, 24))}`, () => {
    assert.equal(isDigest(value), false);
    assert.throws(
      () => parseDigest(value),
      (error: unknown) => {
        assert.ok(error instanceof InvalidReferenceError);
        assert.equal(error.part, 'digest');
        assert.equal(error.message, `invalid reference "${value}": digest ${reason}`);
        return true;
      },
    );
  });
}

test('isDigest accepts what parseDigest accepts', () => {
  assert.equal(isDigest(`sha256:${HEX64}`), true);
  assert.equal(isDigest(`sha512:${'d'.repeat(128)}`), true);
});
