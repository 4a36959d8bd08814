import assert from 'node:assert/strict';
import { it } from 'node:test';
import { summaryLines } from './summary.js';

it('summarises counts, bytes, time and each failure: images and image lists apart, each count heading its list', () => {
  assert.deepEqual(
    summaryLines({
      copied: 3,
      upToDate: 1,
      failed: 2,
      scriptFailures: 1,
      invalidLines: 2,
      bytes: 10 * 1024 * 1024,
      durationMs: 2000,
      failures: [
        { registry: 'r1', kind: 'image', subject: 'a -> b', reason: 'denied' },
        { registry: 'r2', kind: 'list', subject: 'syncer script "x" exited with code 1: oops', reason: '' },
        { registry: 'r1', kind: 'image', subject: 'c -> d', reason: 'not found' },
        { registry: 'r1', kind: 'list', subject: 'line 3: "Bad"', reason: 'invalid reference: path component "Bad" must be lowercase' },
        { registry: 'r1', kind: 'list', subject: 'line 4: "x y"', reason: 'invalid reference: reference contains whitespace' },
      ],
    }),
    [
      'images: 3 copied, 1 up to date, 2 failed',
      'image lists: 1 syncer script failed, 2 invalid lines',
      'bytes moved: 10.0 MiB (5.00 MiB/s)',
      'time: 2.0s',
      'failed images (2):',
      '  [r1] a -> b: denied',
      '  [r1] c -> d: not found',
      'image list problems (3):',
      '  [r2] syncer script "x" exited with code 1: oops',
      '  [r1] line 3: "Bad": invalid reference: path component "Bad" must be lowercase',
      '  [r1] line 4: "x y": invalid reference: reference contains whitespace',
    ],
  );
});

it('leaves out the failures heading and the rate when there is nothing to show', () => {
  assert.deepEqual(summaryLines({ copied: 0, upToDate: 4, failed: 0, bytes: 0, durationMs: 75 }), [
    'images: 0 copied, 4 up to date, 0 failed',
    'bytes moved: 0 B',
    'time: 75ms',
  ]);
});

it('speaks of "would copy" on a dry run', () => {
  assert.equal(
    summaryLines({ copied: 0, upToDate: 0, failed: 0, bytes: 0, durationMs: 1, dryRun: true, wouldCopy: 5 })[0],
    'images: 5 would copy, 0 up to date, 0 failed (dry run)',
  );
});

it('counts the tags pruning deleted, or would delete on a dry run, under the images', () => {
  assert.equal(summaryLines({ copied: 1, upToDate: 0, failed: 0, bytes: 0, durationMs: 1, pruned: 2 })[1], 'pruned: 2 tags');
  assert.equal(
    summaryLines({ copied: 0, upToDate: 0, failed: 0, bytes: 0, durationMs: 1, dryRun: true, wouldCopy: 0, pruned: 1 })[1],
    'would prune: 1 tag',
  );
});

it('counts the signatures and attestations that followed the images on a line of their own, failed ones only when any', () => {
  const lines = (referrers: { copied: number; present: number; failed: number }, dryRun = false) =>
    summaryLines({ copied: 1, upToDate: 1, failed: 0, bytes: 0, durationMs: 75, referrers, dryRun, wouldCopy: 0 });
  assert.equal(lines({ copied: 2, present: 3, failed: 1 })[1], 'signatures and attestations: 6 found: 2 copied, 3 already there, 1 failed');
  assert.equal(lines({ copied: 2, present: 3, failed: 0 })[1], 'signatures and attestations: 5 found: 2 copied, 3 already there');
  assert.ok(!lines({ copied: 0, present: 0, failed: 0 }).some((l) => l.startsWith('signatures')));
  // A dry run copies none: its image-planned lines say what would come.
  assert.ok(!lines({ copied: 2, present: 0, failed: 0 }, true).some((l) => l.startsWith('signatures')));
});
