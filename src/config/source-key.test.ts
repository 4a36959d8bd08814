import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchSourceKey, parseSourceKey } from './source-key.js';

test('a sources: key is a host or host/namespace, normalised like a reference', () => {
  assert.equal(parseSourceKey('Quay.io'), 'quay.io');
  assert.equal(parseSourceKey('quay.io/coreos/'), 'quay.io/coreos');
  assert.equal(parseSourceKey('index.docker.io/bitnami'), 'docker.io/bitnami');
  assert.equal(parseSourceKey('127.0.0.1:5000/team/sub'), '127.0.0.1:5000/team/sub');
  assert.throws(() => parseSourceKey('quay.io/CoreOS'), /path component "CoreOS" must be lowercase/);
  assert.throws(() => parseSourceKey('https://quay.io'), /./);
});

test('the longest key covering a repository wins, by whole path components; the host alone is the fallback', () => {
  const entries = new Map([
    ['quay.io', 'host'],
    ['quay.io/coreos', 'ns'],
    ['quay.io/coreos/etcd', 'repo'],
    ['quay.io/core', 'partial'],
  ]);
  assert.equal(matchSourceKey(entries, 'quay.io', 'coreos/etcd'), 'repo');
  assert.equal(matchSourceKey(entries, 'quay.io', 'coreos/etcd-operator'), 'ns', 'a key is a path prefix, not a text prefix');
  assert.equal(matchSourceKey(entries, 'quay.io', 'coreosx/app'), 'host');
  assert.equal(matchSourceKey(entries, 'quay.io', 'core/x'), 'partial');
  assert.equal(matchSourceKey(entries, 'quay.io'), 'host', 'a registry-wide request (a catalog) takes the host');
  assert.equal(matchSourceKey(entries, 'ghcr.io', 'coreos/etcd'), undefined);
  assert.equal(matchSourceKey(undefined, 'quay.io', 'x'), undefined);
});
