import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAILED_STREAK_WARNING, rowWarnings } from './warnings.js';

test('a row warns when its schedule is overdue and when its last runs all failed', () => {
  assert.deepEqual(rowWarnings({ overdue: false, expectedTick: null, failedStreak: FAILED_STREAK_WARNING - 1 }), []);
  assert.deepEqual(
    rowWarnings({ overdue: true, expectedTick: '2030-01-01T00:00:10.000+00:00', failedStreak: 0 }).map((w) => [w.kind, w.text]),
    [['overdue', 'overdue']],
  );
  const both = rowWarnings({ overdue: true, expectedTick: '2030-01-01T00:00:10.000+00:00', failedStreak: 4 });
  assert.deepEqual(
    both.map((w) => [w.kind, w.text]),
    [
      ['overdue', 'overdue'],
      ['failing', 'last 4 runs failed'],
    ],
  );
  assert.match(both[0]?.detail ?? '', /2030-01-01T00:00:10/);
});
