import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listingPhase } from './many-runs.js';
import { countRequests, requestKind } from './request-count.js';

const at = (ms: number): string => new Date(Date.UTC(2026, 11, 1, 0, 0, 0, ms)).toISOString();

test('listingPhase: from registry-started to registry-listed, with the progress the live display draws from', () => {
  const lines = [
    { type: 'run-started', time: at(0) },
    { type: 'registry-started', registry: 'dst', time: at(100) },
    { type: 'repositories-found', found: 150, selected: 150, time: at(300) },
    { type: 'repositories-found', found: 200, selected: 200, time: at(400) },
    { type: 'tags-found', repository: 'a', found: 3, total: 3, time: at(500) },
    { type: 'repository-selected', repository: 'a', listed: 3, kept: 3, time: at(510) },
    { type: 'repository-selected', repository: 'b', listed: 4, kept: 2, time: at(520) },
    { type: 'registry-listed', registry: 'dst', images: 5, time: at(1350) },
    { type: 'image-skipped', time: at(1400) },
  ].map((event) => JSON.stringify(event));
  assert.deepEqual(listingPhase(['plain text first', ...lines, ''].join('\n')), {
    ms: 1250,
    images: 5,
    progressEvents: 5,
    repositories: 200,
    tags: 7,
  });
  assert.throws(() => listingPhase(lines.slice(0, 2).join('\n')), /no registry-started or registry-listed event/);
});

test('requestKind tells listings apart from manifests and blobs, so a no-change run can be checked for content GETs', () => {
  assert.equal(requestKind('/v2/many/app/tags/list?n=1000'), 'tags');
  assert.equal(requestKind('/v2/_catalog?n=1000&last=fleet%2Fapp-099'), 'catalog');
  assert.equal(requestKind('/v2/many/app/manifests/1.0.0'), 'manifest');
  assert.equal(requestKind('/v2/tags/list/manifests/latest'), 'manifest', 'a repository named tags/list');
  assert.deepEqual(
    countRequests([
      { method: 'GET', path: '/v2/many/app/tags/list?n=1000', status: 200, headers: {}, bytesIn: 0, bytesOut: 0 },
      { method: 'HEAD', path: '/v2/many/app/manifests/1.0.0', status: 200, headers: {}, bytesIn: 0, bytesOut: 0 },
    ]),
    { 'GET tags': 1, 'HEAD manifest': 1 },
  );
});
