import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleError } from './rule-error.js';
import { compareHighestFirst, compileRange, tagVersion, type VersionedTag } from './semver-tags.js';

test('a tag is a version when it is full semver, with or without a lowercase v', () => {
  assert.equal(tagVersion('1.2.3')?.version, '1.2.3');
  assert.equal(tagVersion('v1.2.3')?.version, '1.2.3');
  assert.equal(tagVersion('1.25.3-alpine')?.version, '1.25.3-alpine');
  assert.equal(tagVersion('3.6.0-rc.1')?.version, '3.6.0-rc.1');
  for (const tag of ['latest', '3.5', '7', 'V1.2.3', '01.2.3', '1.2.3_x', 'sha256-abc', 'main'])
    assert.equal(tagVersion(tag), undefined, tag);
});

test('ranges use npm semver syntax; prereleases are outside them unless named', () => {
  const range = compileRange('>=3.5 <4', ['tags', 'semver']);
  assert.equal(range.test('3.5.0'), true);
  assert.equal(range.test('3.9.12'), true);
  assert.equal(range.test('4.0.0'), false);
  assert.equal(range.test('3.4.9'), false);
  assert.equal(range.test('3.6.0-rc.1'), false, 'a prerelease is outside a range of releases');
  assert.equal(compileRange('>=3.6.0-rc.0', ['tags', 'semver']).test('3.6.0-rc.1'), true);
});

test('an invalid or empty range is a RuleError at its field', () => {
  for (const [text, message] of [
    ['garbage', 'invalid semver range "garbage": Invalid comparator: garbage'],
    ['', 'is empty: write a range such as ">=3.5 <4" (or leave the key out)'],
    ['  ', 'is empty: write a range such as ">=3.5 <4" (or leave the key out)'],
  ] as const) {
    assert.throws(
      () => compileRange(text, ['tags', 'semver']),
      (error: unknown) => {
        assert.ok(error instanceof RuleError);
        assert.deepEqual(error.field, ['tags', 'semver']);
        assert.equal(error.message, message);
        return true;
      },
    );
  }
});

test('highest version first, ties in name order', () => {
  const tags = ['1.2.3', 'v1.10.0', 'v1.2.3', '1.2.3-rc.1', '0.9.0', '1.10.0'];
  const sorted = tags
    .map((tag): VersionedTag => ({ tag, version: tagVersion(tag) ?? assert.fail(tag) }))
    .sort(compareHighestFirst)
    .map((v) => v.tag);
  assert.deepEqual(sorted, ['1.10.0', 'v1.10.0', '1.2.3', 'v1.2.3', '1.2.3-rc.1', '0.9.0']);
});
