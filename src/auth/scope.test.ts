import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeScopes, normaliseScope, scopeSetKey } from './scope.js';

test('normaliseScope sorts and de-duplicates actions', () => {
  assert.equal(normaliseScope('repository:a/b:push,pull'), 'repository:a/b:pull,push');
  assert.equal(normaliseScope('repository:a/b:push,pull,push'), 'repository:a/b:pull,push');
  assert.equal(normaliseScope('repository:a/b:pull'), 'repository:a/b:pull');
  assert.equal(normaliseScope('registry:catalog:*'), 'registry:catalog:*');
  // A host:port prefix in the name keeps its ':'.
  assert.equal(normaliseScope('repository:localhost:5000/a:push,pull'), 'repository:localhost:5000/a:pull,push');
  assert.equal(normaliseScope('repository(plugin):a/b:pull'), 'repository(plugin):a/b:pull');
  assert.equal(normaliseScope(' repository:a/b:pull '), 'repository:a/b:pull');
  assert.equal(normaliseScope('nonsense'), 'nonsense', 'what is not a scope is left alone');
});

test('mergeScopes unions actions per resource in a deterministic order', () => {
  assert.deepEqual(
    mergeScopes([
      'repository:z/app:pull',
      'repository:a/app:push',
      'repository:z/app:push,pull',
      'registry:catalog:*',
      'repository:a/app:pull',
    ]),
    ['registry:catalog:*', 'repository:a/app:pull,push', 'repository:z/app:pull,push'],
  );
  assert.deepEqual(mergeScopes([]), []);
  assert.deepEqual(mergeScopes(['', '  ']), []);
});

test('mergeScopes splits space-separated scopes, as a challenge sends them', () => {
  assert.deepEqual(mergeScopes(['repository:a:pull repository:b:pull', 'repository:a:push']), [
    'repository:a:pull,push',
    'repository:b:pull',
  ]);
});

test('mergeScopes keeps different resource types apart', () => {
  assert.deepEqual(mergeScopes(['repository:a:pull', 'repository(plugin):a:pull']), ['repository(plugin):a:pull', 'repository:a:pull']);
});

test('scopeSetKey compares scope lists as sets', () => {
  const key = scopeSetKey(['repository:a:push,pull', 'repository:b:pull']);
  assert.equal(key, scopeSetKey(['repository:b:pull', 'repository:a:pull', 'repository:a:push', 'repository:b:pull']));
  assert.equal(key, 'repository:a:pull,push repository:b:pull');
  assert.notEqual(key, scopeSetKey(['repository:a:pull', 'repository:b:pull']));
  assert.notEqual(scopeSetKey(['repository:a:pull']), scopeSetKey(['repository:a:push']));
  assert.equal(scopeSetKey([]), '');
});
