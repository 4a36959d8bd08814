import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePatterns, firstMatch } from './patterns.js';
import { RuleError } from './rule-error.js';

test('patterns are anchored as written: they match the whole tag', () => {
  const patterns = compilePatterns(['v3\\..*', '.*-alpine', 'latest'], ['tags', 'include']);
  const matched = (tag: string): string | undefined => firstMatch(patterns, tag)?.source;
  assert.equal(matched('v3.5.0'), 'v3\\..*');
  assert.equal(matched('xv3.5.0'), undefined, 'no match in the middle');
  assert.equal(matched('1.25-alpine'), '.*-alpine');
  assert.equal(matched('1.25-alpine-slim'), undefined, 'no match at the start only');
  assert.equal(matched('latest'), 'latest');
  assert.equal(matched('latest-1'), undefined);
});

test('writing the anchors yourself changes nothing; alternation stays inside them', () => {
  const [anchored] = compilePatterns(['^v1|v2$'], ['tags', 'include']);
  assert.ok(anchored);
  assert.equal(anchored.regex.test('v1'), true);
  assert.equal(anchored.regex.test('v2'), true);
  assert.equal(anchored.regex.test('v1-rc'), false, 'the alternation is anchored as a whole');
});

test('an invalid or empty expression is a RuleError naming its index and quoting it', () => {
  const cases: Array<[string[], number, string]> = [
    [['ok', '(unclosed'], 1, 'invalid regular expression "(unclosed": Unterminated group'],
    [['a)|(b'], 0, `invalid regular expression "a)|(b": Unmatched ')'`],
    [['[z-a]'], 0, 'invalid regular expression "[z-a]": Range out of order in character class'],
    [['x', ''], 1, 'is empty: write a regular expression (".*" matches everything)'],
  ];
  for (const [patterns, index, message] of cases) {
    assert.throws(
      () => compilePatterns(patterns, ['tags', 'exclude']),
      (error: unknown) => {
        assert.ok(error instanceof RuleError);
        assert.deepEqual(error.field, ['tags', 'exclude', index]);
        assert.equal(error.message, message);
        return true;
      },
    );
  }
});
