import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenCache, tokenLifetimeSeconds } from './token-cache.js';

test('tokens expire by expires_in, with a 60 s floor and an early-renewal margin', () => {
  let now = 1_000_000;
  const cache = new TokenCache(() => now);
  cache.set('k', 'tok', 300);
  assert.equal(cache.get('k'), 'tok');
  now += 289_000;
  assert.equal(cache.get('k'), 'tok');
  now += 2_000;
  assert.equal(cache.get('k'), undefined, 'renewed 10 s before expiry');
  assert.equal(tokenLifetimeSeconds(5), 60);
  assert.equal(tokenLifetimeSeconds(undefined), 60);
  assert.equal(tokenLifetimeSeconds(900), 900);
});
