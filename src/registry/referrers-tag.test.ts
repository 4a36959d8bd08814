import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCosignTagOf, referrersTag } from './referrers-tag.js';

const hex64 = 'a'.repeat(32) + 'b'.repeat(32);

test('a sha256 digest becomes <alg>-<hex> whole (distribution spec 1.1, referrers tag schema)', () => {
  assert.equal(referrersTag(`sha256:${hex64}`), `sha256-${hex64}`);
});

test('a sha512 digest is cut to its first 64 hex characters, so the tag stays within 128', () => {
  const hex128 = '0123456789abcdef'.repeat(8);
  const tag = referrersTag(`sha512:${hex128}`);
  assert.equal(tag, `sha512-${hex128.slice(0, 64)}`);
  assert.equal(tag.length, 71);
});

test('an algorithm over 32 characters is cut to 32; a character no tag may hold becomes -', () => {
  const alg = 'x'.repeat(40);
  assert.equal(referrersTag(`${alg}:${hex64}`), `${'x'.repeat(32)}-${hex64}`);
  assert.equal(referrersTag(`sha256+b64u:${hex64}`), `sha256-b64u-${hex64}`);
});

test("cosign's tags of a digest are <alg>-<hex>.<suffix>; the bare referrers tag and other digests' tags are not", () => {
  const digest = `sha256:${hex64}`;
  assert.equal(isCosignTagOf(`sha256-${hex64}.sig`, digest), true);
  assert.equal(isCosignTagOf(`sha256-${hex64}.att`, digest), true);
  assert.equal(isCosignTagOf(`sha256-${hex64}.sbom`, digest), true);
  assert.equal(isCosignTagOf(`sha256-${hex64}`, digest), false);
  assert.equal(isCosignTagOf(`sha256-${hex64}.`, digest), false);
  assert.equal(isCosignTagOf(`sha256-${'c'.repeat(64)}.sig`, digest), false);
  assert.equal(isCosignTagOf('v1.0', digest), false);
});
