import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidReferenceError } from '../errors/index.js';
import { compileTagFilter, filterTags } from './tag-filter.js';
import { parseImageEntry } from './image-entry.js';
import { RuleError } from './rule-error.js';

test('a plain reference keeps its meaning: no tag is latest, not every tag', () => {
  const entry = parseImageEntry('127.0.0.1:5000/library/app');
  assert.equal(entry.kind, 'reference');
  assert.equal(entry.reference.identifier, 'latest');
  const tagged = parseImageEntry('quay.io/coreos/etcd:v3.5.0');
  assert.equal(tagged.kind === 'reference' && tagged.reference.toString(), 'quay.io/coreos/etcd:v3.5.0');
});

test('repo:* is a repository rule over every tag', () => {
  const entry = parseImageEntry('registry:5000/team/app:*');
  assert.equal(entry.kind, 'rule');
  assert.deepEqual(entry.rule.source, { kind: 'repository', registry: 'registry:5000', repository: 'team/app' });
  assert.equal(entry.rule.tags.include, undefined);
  assert.equal(entry.rule.label, 'registry:5000/team/app:*', 'the label is the entry as written unless given');
  const hub = parseImageEntry('nginx:*', 'images[2]');
  assert.equal(hub.kind === 'rule' && hub.rule.label, 'images[2]');
  assert.deepEqual(hub.kind === 'rule' && hub.rule.source, { kind: 'repository', registry: 'docker.io', repository: 'library/nginx' });
});

test('repo:/regex/ is a repository rule whose tags match the regex whole; the regex may hold / and :', () => {
  const entry = parseImageEntry('quay.io/coreos/etcd:/v3\\.5\\..*/');
  assert.equal(entry.kind, 'rule');
  assert.deepEqual(entry.rule.spec.tags, { include: ['v3\\.5\\..*'] });
  assert.deepEqual(filterTags(['v3.5.0', 'v3.5.1', 'v3.6.0', 'xv3.5.0'], entry.rule.tags).kept, ['v3.5.0', 'v3.5.1']);
  const odd = parseImageEntry('127.0.0.1:5000/app:/a/b|c:d/');
  assert.deepEqual(odd.kind === 'rule' && odd.rule.spec.tags, { include: ['a/b|c:d'] });
  assert.deepEqual(filterTags(['x'], compileTagFilter({ include: ['a/b|c:d'] })).kept, []);
});

test("repo:v1,v2 is those tags (image-syncer's list), not a refused tag", () => {
  const entry = parseImageEntry('127.0.0.1:5000/team/app:v1,v2', 'images[0]');
  assert.equal(entry.kind, 'rule');
  assert.deepEqual(entry.rule.source, {
    kind: 'tags',
    registry: '127.0.0.1:5000',
    repository: 'team/app',
    tags: ['v1', 'v2'],
  });
  assert.equal(entry.rule.label, 'images[0]');
});

test('bad selectors and bad references say what is wrong', () => {
  const cases: Array<[string, new (...args: never[]) => Error, string]> = [
    ['app:v1:*', RuleError, 'invalid image "app:v1:*": ":*" follows a repository, not a tag or digest'],
    ['app:v1:/x/', RuleError, 'invalid image "app:v1:/x/": ":/regex/" follows a repository, not a tag or digest'],
    ['reg.example/app:/(/', RuleError, 'invalid image "reg.example/app:/(/": invalid regular expression "(": Unterminated group'],
    [
      'reg.example/app://',
      RuleError,
      'invalid image "reg.example/app://": the tag regex is empty: write a regular expression (".*" matches everything)',
    ],
    ['Reg/App:*', InvalidReferenceError, 'invalid reference "Reg/App": path component "Reg" must be lowercase'],
    [
      'app:v*',
      InvalidReferenceError,
      'invalid reference "app:v*": tag "v*" may contain only letters, digits, "_", "." and "-", and must not start with "." or "-"',
    ],
    [
      'https://reg.example/app:/x/',
      InvalidReferenceError,
      'invalid reference "https://reg.example/app:/x/": scheme "https://" does not belong in a reference: drop it',
    ],
  ];
  for (const [text, type, message] of cases) {
    assert.throws(
      () => parseImageEntry(text),
      (error: unknown) => {
        assert.ok(error instanceof type, `${text}: ${String(error)}`);
        assert.equal(error.message, message);
        return true;
      },
    );
  }
});
