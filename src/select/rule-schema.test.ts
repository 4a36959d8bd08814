import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRule } from './rule.js';
import { ruleSchema, rulesSchema } from './rule-schema.js';

function issues(input: unknown): Array<[string, string]> {
  const result = ruleSchema.safeParse(input);
  assert.equal(result.success, false, 'refused');
  return result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
}

test('good rules parse to specs that compile', () => {
  const good: unknown[] = [
    { source: 'quay.io/coreos/etcd' },
    {
      source: 'quay.io/coreos/etcd',
      tags: { include: ['v3\\..*'], exclude: ['.*-rc.*'], semver: '>=3.5 <4', latest: 3 },
      target: 'tools/etcd',
      platforms: ['linux/amd64'],
      force: true,
      required: true,
    },
    { source: 'registry.internal:5000/team/', repositories: { include: ['team/.*'], exclude: ['team/old-.*'] }, tags: { latest: 1 } },
    { source: 'registry.internal:5000', repositories: { exclude: ['scratch/.*'] } },
    { source: 'nginx:1.25', platforms: ['linux/arm64/v8'] },
  ];
  for (const input of good) {
    const parsed = ruleSchema.parse(input);
    assert.doesNotThrow(() => compileRule(parsed));
  }
});

test('semver written as a YAML number is read as that range', () => {
  const parsed = ruleSchema.parse({ source: 'quay.io/coreos/etcd', tags: { semver: 3.5 } });
  assert.equal(parsed.tags?.semver, '3.5');
});

test('mirrors defaults to an empty list', () => {
  assert.deepEqual(rulesSchema.parse(undefined), []);
});

test('unknown keys are refused at every level', () => {
  assert.deepEqual(issues({ source: 'quay.io/a/b', tag: {} }), [['', "Unrecognized key(s) in object: 'tag'"]]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', tags: { lastest: 2 } }), [['tags', "Unrecognized key(s) in object: 'lastest'"]]);
  assert.deepEqual(issues({ source: 'reg.example/team/', repositories: { includes: ['x'] } }), [
    ['repositories', "Unrecognized key(s) in object: 'includes'"],
  ]);
});

test('wrong types and shapes are refused at their key', () => {
  assert.deepEqual(issues({}), [['source', 'Required']]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', tags: { latest: 0 } }), [
    ['tags.latest', 'must be a whole number of at least 1, got 0'],
  ]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', tags: { latest: 2.5 } }), [
    ['tags.latest', 'must be a whole number of at least 1, got 2.5'],
  ]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', tags: { latest: '2' } }), [['tags.latest', 'Expected number, received string']]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', tags: { include: [] } }), [
    ['tags.include', 'needs at least one regular expression (leave the key out to keep everything)'],
  ]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', tags: { include: 'v1' } }), [['tags.include', 'Expected array, received string']]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', force: 'yes' }), [['force', 'Expected boolean, received string']]);
});

test('what only the rule compiler knows is reported at its own key path', () => {
  assert.deepEqual(issues({ source: 'quay.io/a/b', tags: { include: ['ok', '(bad'] } }), [
    ['tags.include.1', 'invalid regular expression "(bad": Unterminated group'],
  ]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', tags: { semver: '>=banana' } }), [
    ['tags.semver', 'invalid semver range ">=banana": Invalid comparator: >=banana'],
  ]);
  assert.deepEqual(issues({ source: 'quay.io/A/b' }), [['source', 'invalid source "quay.io/A/b": path component "A" must be lowercase']]);
  assert.deepEqual(issues({ source: 'reg.example/team/', target: 'x' }), [
    ['target', 'renames one repository, but this source names many: a namespace or registry rule keeps the source paths'],
  ]);
  assert.deepEqual(issues({ source: 'quay.io/a/b', platforms: ['linux'] }), [
    ['platforms.0', 'invalid platform "linux": expected os/arch or os/arch/variant (linux/arm64/v8)'],
  ]);
  assert.deepEqual(issues({ source: 'quay.io/a/b:v1', tags: { latest: 1 } }), [
    [
      'tags',
      'filters the tags of a repository, namespace or registry, but this source names one image: drop its tag or digest to choose among all tags',
    ],
  ]);
});
