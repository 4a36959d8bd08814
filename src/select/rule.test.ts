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

test('a tag list is those tags; a target with as many tags renames them in order, a digest target repeats the source digest', () => {
  const rule = compileRule({ source: '127.0.0.1:5000/team/app:v1,v2', target: 'mirror/app:one,two' });
  assert.deepEqual(rule.source, { kind: 'tags', registry: '127.0.0.1:5000', repository: 'team/app', tags: ['v1', 'v2'] });
  assert.equal(rule.target, 'mirror/app');
  assert.deepEqual(rule.targetTags, ['one', 'two']);
  assert.equal(rule.label, '127.0.0.1:5000/team/app:v1,v2');
  const single = compileRule({ source: '127.0.0.1:5000/team/app:v1', target: 'mirror/app:newest', label: 'images.yaml:3' });
  assert.deepEqual(single.targetTags, ['newest']);
  assert.equal(single.label, 'images.yaml:3', 'a label set by the code that built the spec names the rule');
  const digest = `sha256:${'c'.repeat(64)}`;
  const pinned = compileRule({ source: `127.0.0.1:5000/team/app@${digest}`, target: `mirror/app@${digest}` });
  assert.equal(pinned.target, 'mirror/app');
  assert.equal(pinned.targetTags, undefined);
});

// Problems more than one case below names.
const TAGS_OF_ONE_IMAGE =
  'filters the tags of a repository, namespace or registry, but this source names one image: drop its tag or digest to choose among all tags';
const RENAMES_MANY = 'renames one repository, but this source names many: a namespace or registry rule keeps the source paths';
const bad: Array<[RuleSpec, Array<string | number>, string]> = [
  [{ source: 'quay.io/coreos/etcd:v3.5.0', tags: { latest: 1 } }, ['tags'], TAGS_OF_ONE_IMAGE],
  [
    { source: 'quay.io/coreos/etcd', repositories: { include: ['x'] } },
    ['repositories'],
    'filters the repositories of a namespace or registry rule, but this source names one repository',
  ],
  [{ source: 'registry.internal:5000', target: 'x' }, ['target'], RENAMES_MANY],
  [{ source: 'reg.example/team/', target: 'x' }, ['target'], RENAMES_MANY],
  [
    { source: 'quay.io/coreos/etcd', target: 'tools/etcd:v1' },
    ['target'],
    '"tools/etcd:v1" renames tags, but the source names none: name them in the source ("repo:v1,v2"), or give the target no tag',
  ],
  [
    { source: 'quay.io/coreos/etcd:v1,v2', target: 'tools/etcd:a,b,c' },
    ['target'],
    '"tools/etcd:a,b,c" has 3 tags but the source names 2 (v1,v2): each source tag needs one new name, in order',
  ],
  [
    { source: 'quay.io/coreos/etcd:v1,v2', target: 'tools/etcd:a,-b' },
    ['target'],
    'invalid target "tools/etcd:a,-b": tag "-b" may contain only letters, digits, "_", "." and "-", and must not start with "." or "-"',
  ],
  [
    { source: `quay.io/coreos/etcd@sha256:${'a'.repeat(64)}`, target: `tools/etcd@sha256:${'b'.repeat(64)}` },
    ['target'],
    `"tools/etcd@sha256:${'b'.repeat(64)}" has digest sha256:${'b'.repeat(64)} but the source's digest is sha256:${'a'.repeat(64)}: a target has no digest, or the source's`,
  ],
  [
    { source: 'quay.io/coreos/etcd:v1', target: `tools/etcd@sha256:${'b'.repeat(64)}` },
    ['target'],
    `"tools/etcd@sha256:${'b'.repeat(64)}" has digest sha256:${'b'.repeat(64)} but the source has no digest: a target has no digest, or the source's`,
  ],
  [{ source: 'quay.io/coreos/etcd:v1,v2', tags: { latest: 1 } }, ['tags'], TAGS_OF_ONE_IMAGE],
  [{ source: 'quay.io/coreos/etcd:v1,,v2' }, ['source'], 'invalid source "quay.io/coreos/etcd:v1,,v2": tag is empty'],
  [{ source: 'quay.io/coreos/etcd:v1,v1' }, ['source'], 'invalid source "quay.io/coreos/etcd:v1,v1": tag "v1" is listed twice'],
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
