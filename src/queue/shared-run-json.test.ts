import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSharedRecord, parseSharedSummary } from './shared-run-json.js';

// What a server from before platform-skipped images were counted published (no `skipped`).
const older = {
  id: 7,
  registry: 'mirror.example',
  trigger: 'schedule',
  startedAt: 1000,
  endedAt: 2000,
  result: 'succeeded',
  copied: 3,
  upToDate: 1,
  failed: 0,
  cancelled: 0,
  pruned: 0,
  bytes: 42,
  error: null,
  referrers: { copied: 1, present: 2, failed: 0 },
  server: 'old-host:/var/lib/picture-book',
};

test('a summary published by an older server without `skipped` reads as 0 skipped; its other counts stay', () => {
  const summary = parseSharedSummary(JSON.stringify(older));
  assert.equal(summary.skipped, 0);
  assert.deepEqual({ ...summary, skipped: undefined }, { ...older, skipped: undefined });
});

test('a summary that has `skipped` (or no referrer counts, from older still) keeps what it says', () => {
  const { referrers: _referrers, ...withoutReferrers } = older;
  const summary = parseSharedSummary(JSON.stringify({ ...withoutReferrers, skipped: 4 }));
  assert.equal(summary.skipped, 4);
  assert.deepEqual(summary.referrers, { copied: 0, present: 0, failed: 0 });
});

test('a run record published by an older server reads with 0 skipped and its images', () => {
  const image = { source: 'src.example/app:v1', target: 'mirror.example/app:v1', status: 'copied', digest: 'sha256:aa', bytes: 42 };
  const record = parseSharedRecord(JSON.stringify({ ...older, images: [image] }));
  assert.equal(record.skipped, 0);
  assert.deepEqual(record.images, [image]);
});
