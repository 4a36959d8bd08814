import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlobLocations } from './blob-locations.js';

test('sightings are per registry and repository, newest first, and expire', () => {
  let now = 1_000;
  const locations = new BlobLocations({ ttlMs: 100, now: () => now });
  locations.remember('r1', 'sha256:a', 'team/app');
  now += 10;
  locations.remember('r1', 'sha256:a', 'team/db');
  locations.remember('r2', 'sha256:a', 'other');
  assert.equal(locations.has('r1', 'sha256:a', 'team/app'), true);
  assert.equal(locations.has('r1', 'sha256:a', 'other'), false, 'another registry is another place');
  assert.equal(locations.has('r1', 'sha256:b', 'team/app'), false);
  assert.deepEqual(locations.repositories('r1', 'sha256:a'), ['team/db', 'team/app']);
  now += 95; // team/app seen 105 ago, team/db 95 ago
  assert.equal(locations.has('r1', 'sha256:a', 'team/app'), false, 'expired');
  assert.deepEqual(locations.repositories('r1', 'sha256:a'), ['team/db']);
});

test('forgetting a repository drops all its sightings at that registry only', () => {
  const locations = new BlobLocations();
  for (const digest of ['sha256:a', 'sha256:b']) {
    locations.remember('r1', digest, 'team/app');
    locations.remember('r1', digest, 'team/db');
    locations.remember('r2', digest, 'team/app');
  }
  locations.forgetRepository('r1', 'team/app');
  assert.deepEqual(locations.repositories('r1', 'sha256:a'), ['team/db']);
  assert.deepEqual(locations.repositories('r1', 'sha256:b'), ['team/db']);
  assert.equal(locations.has('r2', 'sha256:a', 'team/app'), true);
});
