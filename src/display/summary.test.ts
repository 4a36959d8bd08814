import assert from 'node:assert/strict';
import { it } from 'node:test';
import { summaryLines } from './summary.js';

it('summarises counts, bytes, time and each failure', () => {
  assert.deepEqual(
    summaryLines({
      copied: 3, upToDate: 1, failed: 2, bytes: 10 * 1024 * 1024, durationMs: 2000,
      failures: [{ registry: 'r1', subject: 'a -> b', reason: 'denied' }, { registry: '', subject: 'syncer script', reason: 'exit code 1' }],
    }),
    ['images: 3 copied, 1 up to date, 2 failed', 'bytes moved: 10.0 MiB (5.00 MiB/s)', 'time: 2.0s', 'failures:', '  [r1] a -> b: denied', '  syncer script: exit code 1'],
  );
});

it('leaves out the failures heading and the rate when there is nothing to show', () => {
  assert.deepEqual(summaryLines({ copied: 0, upToDate: 4, failed: 0, bytes: 0, durationMs: 75 }), ['images: 0 copied, 4 up to date, 0 failed', 'bytes moved: 0 B', 'time: 75ms']);
});

it('speaks of "would copy" on a dry run', () => {
  assert.equal(summaryLines({ copied: 0, upToDate: 0, failed: 0, bytes: 0, durationMs: 1, dryRun: true, wouldCopy: 5 })[0], 'images: 5 would copy, 0 up to date, 0 failed (dry run)');
});
