import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleError } from './rule-error.js';
import { describeSource, parseRuleSource, type RuleSource } from './rule-source.js';

const D = `sha256:${'a'.repeat(64)}`;

/** [source, kind, canonical form] */
const good: Array<[string, RuleSource['kind'], string]> = [
  // A bare host with a port or a dot (or localhost, or brackets) is a whole registry.
  ['registry.internal:5000', 'registry', 'registry.internal:5000'],
  ['registry:5000', 'registry', 'registry:5000'],
  ['registry.example.com', 'registry', 'registry.example.com'],
  ['Registry.Example.COM', 'registry', 'registry.example.com'],
  ['localhost', 'registry', 'localhost'],
  ['[::1]:5000', 'registry', '[::1]:5000'],
  ['127.0.0.1:5000/', 'registry', '127.0.0.1:5000'],
  ['index.docker.io', 'registry', 'docker.io'],
  // A trailing slash is a namespace prefix.
  ['registry.internal:5000/team/', 'namespace', 'registry.internal:5000/team/'],
  ['registry.internal:5000/team/sub/', 'namespace', 'registry.internal:5000/team/sub/'],
  ['bitnami/', 'namespace', 'docker.io/bitnami/'],
  ['docker.io/library/', 'namespace', 'docker.io/library/'],
  // A repository without tag or digest: every tag.
  ['quay.io/coreos/etcd', 'repository', 'quay.io/coreos/etcd'],
  ['registry.internal:5000/team/app', 'repository', 'registry.internal:5000/team/app'],
  ['nginx', 'repository', 'docker.io/library/nginx'],
  ['redis', 'repository', 'docker.io/library/redis'],
  // A tag or a digest: one image, as in images:.
  ['quay.io/coreos/etcd:v3.5.0', 'reference', 'quay.io/coreos/etcd:v3.5.0'],
  ['nginx:1.25', 'reference', 'docker.io/library/nginx:1.25'],
  ['ubuntu:22.04', 'reference', 'docker.io/library/ubuntu:22.04'],
  [`ghcr.io/org/app@${D}`, 'reference', `ghcr.io/org/app@${D}`],
  ['docker.io/alpine:3', 'reference', 'docker.io/library/alpine:3'],
];

for (const [input, kind, canonical] of good) {
  test(`rule source ${input} is a ${kind}: ${canonical}`, () => {
    const source = parseRuleSource(input);
    assert.equal(source.kind, kind);
    assert.equal(describeSource(source), canonical);
    assert.equal(describeSource(parseRuleSource(canonical)), canonical, 'the canonical form parses back to itself');
  });
}

test('the parts of each kind', () => {
  assert.deepEqual(parseRuleSource('registry.internal:5000'), { kind: 'registry', registry: 'registry.internal:5000' });
  assert.deepEqual(parseRuleSource('registry.internal:5000/team/'), {
    kind: 'namespace',
    registry: 'registry.internal:5000',
    namespace: 'team',
  });
  assert.deepEqual(parseRuleSource('quay.io/coreos/etcd'), { kind: 'repository', registry: 'quay.io', repository: 'coreos/etcd' });
  const one = parseRuleSource('quay.io/coreos/etcd:v3.5.0');
  assert.equal(one.kind === 'reference' && one.reference.tag, 'v3.5.0');
});

const bad: Array<[string, string]> = [
  ['', 'source is empty: name a registry, a namespace ("host/team/") or a repository'],
  ['/', 'invalid source "/": name a registry, a namespace ("host/team/") or a repository'],
  ['Quay.io/CoreOS/etcd', 'invalid source "Quay.io/CoreOS/etcd": path component "CoreOS" must be lowercase'],
  ['reg.example/Team/', 'invalid source "reg.example/Team/": path component "Team" must be lowercase'],
  ['reg.example/team:v1/', 'invalid source "reg.example/team:v1/": a namespace prefix has no tag or digest'],
  ['reg.example//', 'invalid source "reg.example//": name has no repository path'],
  [
    'reg.example/app:-x',
    'invalid source "reg.example/app:-x": tag "-x" may contain only letters, digits, "_", "." and "-", and must not start with "." or "-"',
  ],
  ['reg.example/a b/', 'invalid source "reg.example/a b/": reference contains whitespace'],
  ['127.0.0.1:99999/team/', 'invalid source "127.0.0.1:99999/team/": registry host port must be 1-65535'],
  ['https://reg.example/team/', 'invalid source "https://reg.example/team/": scheme "https://" does not belong in a reference: drop it'],
];

for (const [input, message] of bad) {
  test(`rule source ${JSON.stringify(input)} is refused: ${message.slice(0, 60)}`, () => {
    assert.throws(
      () => parseRuleSource(input),
      (error: unknown) => {
        assert.ok(error instanceof RuleError, String(error));
        assert.equal(error.code, 'RULE_INVALID');
        assert.deepEqual(error.field, ['source']);
        assert.equal(error.message, message);
        return true;
      },
    );
  });
}

test('credentials in a source are refused without quoting the password', () => {
  for (const input of ['user:S3cret@reg.example:5000', 'user:S3cret@reg.example/team/', 'user:S3cret@reg.example/app']) {
    assert.throws(
      () => parseRuleSource(input),
      (error: unknown) => {
        assert.ok(error instanceof RuleError);
        assert.match(error.message, /credentials do not belong in a reference/);
        assert.equal(error.message.includes('S3cret'), false);
        return true;
      },
    );
  }
});

test('a layout as a source: the whole layout, a namespace of it, one repository, one image', () => {
  assert.deepEqual(parseRuleSource('oci:/mnt/mirror'), { kind: 'registry', registry: 'oci:/mnt/mirror' });
  assert.deepEqual(parseRuleSource('oci-archive:/media/usb/bundle-1.tar'), {
    kind: 'registry',
    registry: 'oci-archive:/media/usb/bundle-1.tar',
  });
  assert.deepEqual(parseRuleSource('oci:/mnt/mirror:team/'), { kind: 'namespace', registry: 'oci:/mnt/mirror', namespace: 'team' });
  assert.deepEqual(parseRuleSource('oci:/mnt/mirror:team/app'), {
    kind: 'repository',
    registry: 'oci:/mnt/mirror',
    repository: 'team/app',
  });
  const one = parseRuleSource('oci:/mnt/mirror:team/app:v1');
  assert.equal(one.kind === 'reference' && one.reference.toString(), 'oci:/mnt/mirror:team/app:v1');
  const list = parseRuleSource('oci:/mnt/mirror:team/app:v1,v2');
  assert.deepEqual(list, { kind: 'tags', registry: 'oci:/mnt/mirror', repository: 'team/app', tags: ['v1', 'v2'] });
  for (const canonical of ['oci:/mnt/mirror', 'oci:/mnt/mirror:team/', 'oci:/mnt/mirror:team/app', 'oci:/mnt/mirror:team/app:v1,v2']) {
    assert.equal(describeSource(parseRuleSource(canonical)), canonical, 'a layout source is described as written');
  }
  assert.throws(
    () => parseRuleSource('oci:/mnt/mirror:Team/'),
    /invalid source "oci:\/mnt\/mirror:Team\/": path component "Team" must be lowercase/,
  );
});
