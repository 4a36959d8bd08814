import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRule, type RuleSpec } from './rule.js';
import { RuleError } from './rule-error.js';

test('a repository rule compiles with its filters, target, platforms and flags', () => {
  const rule = compileRule(
    {
      source: 'quay.io/coreos/etcd',
      tags: { semver: '>=3.5 <4', latest: 2 },
      target: '/tools/etcd/',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      force: true,
      required: true,
    },
    'registries[0].mirrors[0]',
  );
  assert.equal(rule.label, 'registries[0].mirrors[0]');
  assert.deepEqual(rule.source, { kind: 'repository', registry: 'quay.io', repository: 'coreos/etcd' });
  assert.equal(rule.tags.latest, 2);
  assert.equal(rule.target, 'tools/etcd', 'outer slashes trimmed');
  assert.deepEqual(rule.platforms, ['linux/amd64', 'linux/arm64/v8']);
  assert.equal(rule.force, true);
  assert.equal(rule.required, true);
});

test('defaults: the label is the canonical source, no platforms, no force, not required', () => {
  const rule = compileRule({ source: 'registry.internal:5000/team/', platforms: [] });
  assert.equal(rule.label, 'registry.internal:5000/team/');
  assert.equal(rule.platforms, undefined, 'an empty list is every platform');
  assert.equal(rule.force, false);
  assert.equal(rule.required, false);
});

const bad: Array<[RuleSpec, Array<string | number>, string]> = [
  [
    { source: 'quay.io/coreos/etcd:v3.5.0', tags: { latest: 1 } },
    ['tags'],
    'filters the tags of a repository, namespace or registry, but this source names one image: drop its tag or digest to choose among all tags',
  ],
  [
    { source: 'quay.io/coreos/etcd', repositories: { include: ['x'] } },
    ['repositories'],
    'filters the repositories of a namespace or registry rule, but this source names one repository',
  ],
  [
    { source: 'registry.internal:5000', target: 'x' },
    ['target'],
    'renames one repository, but this source names many: a namespace or registry rule keeps the source paths',
  ],
  [
    { source: 'reg.example/team/', target: 'x' },
    ['target'],
    'renames one repository, but this source names many: a namespace or registry rule keeps the source paths',
  ],
  [
    { source: 'quay.io/coreos/etcd', target: 'tools/etcd:v1' },
    ['target'],
    '"tools/etcd:v1" must be a repository path such as "tools/etcd": tags keep their names, so no ":tag" or "@digest"',
  ],
  [
    { source: 'quay.io/coreos/etcd', target: 'Tools/etcd' },
    ['target'],
    'invalid target "Tools/etcd": path component "Tools" must be lowercase',
  ],
  [{ source: 'quay.io/coreos/etcd', target: '' }, ['target'], 'invalid target "": name has no repository path'],
  [
    { source: 'quay.io/coreos/etcd', platforms: ['linux/amd64', 'linux'] },
    ['platforms', 1],
    'invalid platform "linux": expected os/arch or os/arch/variant (linux/arm64/v8)',
  ],
  [
    { source: 'quay.io/coreos/etcd', tags: { exclude: ['('] } },
    ['tags', 'exclude', 0],
    'invalid regular expression "(": Unterminated group',
  ],
  [
    { source: 'reg.example/team/', repositories: { exclude: ['+'] } },
    ['repositories', 'exclude', 0],
    'invalid regular expression "+": Nothing to repeat',
  ],
  [{ source: 'reg.example/Team/' }, ['source'], 'invalid source "reg.example/Team/": path component "Team" must be lowercase'],
];

for (const [spec, field, message] of bad) {
  test(`refused: ${JSON.stringify(spec).slice(0, 90)}`, () => {
    assert.throws(
      () => compileRule(spec),
      (error: unknown) => {
        assert.ok(error instanceof RuleError, String(error));
        assert.deepEqual(error.field, field);
        assert.equal(error.message, message);
        return true;
      },
    );
  });
}
