import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passesFilter, serverFilter } from './artifact-filter.js';

test('include (with * wildcards) then exclude; no include means every type', () => {
  const cosign = { include: ['application/vnd.dev.cosign.*'] };
  assert.equal(passesFilter('application/vnd.dev.cosign.artifact.sig.v1+json', cosign), true);
  assert.equal(passesFilter('application/spdx+json', cosign), false);
  assert.equal(passesFilter('application/spdx+json', {}), true);
  assert.equal(passesFilter('application/spdx+json', { exclude: ['application/spdx+json'] }), false);
  assert.equal(passesFilter('application/vnd.dev.cosign.x', { include: ['*'], exclude: ['*.cosign.*'] }), false);
  // The dot is literal, not any character.
  assert.equal(passesFilter('applicationXvnd', { include: ['application.vnd'] }), false);
});

test('the registry is asked to filter only for one include without wildcard', () => {
  assert.equal(serverFilter({ include: ['application/spdx+json'] }), 'application/spdx+json');
  assert.equal(serverFilter({ include: ['application/*'] }), undefined);
  assert.equal(serverFilter({ include: ['a', 'b'] }), undefined);
  assert.equal(serverFilter({}), undefined);
});
