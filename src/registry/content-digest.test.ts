import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { checkedDigest, verifyBytes } from './content-digest.js';

const bytes = Buffer.from('{"schemaVersion":2}');
const hashed = (algorithm: string) => `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;

test('content is verified with the algorithm of the digest it must match: sha256 and sha512', () => {
  verifyBytes(bytes, hashed('sha256'), 'm');
  verifyBytes(bytes, hashed('sha512'), 'm');
  assert.throws(
    () => verifyBytes(Buffer.from('other'), hashed('sha512'), 'manifest x'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'DIGEST_MISMATCH');
      assert.match(error.message, /^manifest x: received bytes hash to sha512:/);
      return true;
    },
  );
});

test('a digest we cannot verify is refused, not trusted', () => {
  for (const digest of [hashed('sha384'), `multihash+base58:${'e'.repeat(32)}`]) {
    assert.throws(
      () => verifyBytes(bytes, digest, 'manifest x'),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'DIGEST_UNSUPPORTED');
        assert.match(error.message, /is not supported \(sha256 and sha512 are\)/);
        return true;
      },
    );
  }
});

test('checkedDigest quotes a hostile value escaped and short', () => {
  assert.throws(
    () => checkedDigest(`sha256:\u001b[31m${'x'.repeat(300)}`, 'header'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'DIGEST_INVALID');
      assert.match(error.message, /^header: digest "sha256:\\u001b\[31mx+\.\.\. is not valid/);
      assert.ok(error.message.length < 200);
      return true;
    },
  );
});
