import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedStreak, isOverdue, OVERDUE_AFTER_MS, TickWatch, tickAfter } from './overdue.js';

const at = (iso: string) => Date.parse(iso);

test('the tick a schedule owes: the first after its last sign of life, in its timezone', () => {
  assert.equal(tickAfter('*/10 * * * * *', 'UTC', at('2030-01-01T00:00:03.500Z')), at('2030-01-01T00:00:10Z'));
  assert.equal(
    tickAfter('*/10 * * * * *', 'UTC', at('2030-01-01T00:00:10Z')),
    at('2030-01-01T00:00:20Z'),
    'a tick at the mark itself is the one that came',
  );
  assert.equal(
    tickAfter('0 3 * * *', 'Europe/Berlin', at('2030-06-01T12:00:00Z')),
    at('2030-06-02T01:00:00Z'),
    '03:00 in Berlin is 01:00 UTC in summer',
  );
});

test('overdue: scheduled, and the owed tick over a minute late; never while running, paused or unscheduled', () => {
  const due = at('2030-01-01T00:00:10Z');
  assert.equal(isOverdue('scheduled', due, due + OVERDUE_AFTER_MS), false);
  assert.equal(isOverdue('scheduled', due, due + OVERDUE_AFTER_MS + 1), true);
  for (const state of ['running', 'paused', 'unscheduled', 'stopped'] as const)
    assert.equal(isOverdue(state, due, due + 10 * OVERDUE_AFTER_MS), false, state);
  assert.equal(isOverdue('scheduled', null, due + 10 * OVERDUE_AFTER_MS), false);
});

test('the tick watch marks a schedule set, a scheduled run, a skipped tick; not a manual run; forgets a removed registry', () => {
  const watch = new TickWatch();
  watch.apply({ type: 'sync-scheduled', registry: 'a', schedule: '* * * * *', nextRun: null, time: 100 });
  assert.equal(watch.lastMark('a'), 100);
  watch.apply({ type: 'sync-run-started', registry: 'a', runId: 1, trigger: 'manual', time: 200 });
  assert.equal(watch.lastMark('a'), 100, 'a run on demand says nothing about the schedule');
  watch.apply({ type: 'sync-run-started', registry: 'a', runId: 2, trigger: 'schedule', time: 300 });
  assert.equal(watch.lastMark('a'), 300);
  watch.apply({ type: 'sync-tick-skipped', registry: 'a', skippedTicks: 1, time: 400 });
  assert.equal(watch.lastMark('a'), 400);
  watch.apply({ type: 'sync-removed', registry: 'a', time: 500 });
  assert.equal(watch.lastMark('a'), undefined);
});

test('the failed streak counts the newest failed runs in a row, passing over one still going', () => {
  const runs = (...results: string[]) => results.map((result) => ({ result }) as { result: 'failed' });
  assert.equal(failedStreak(runs('failed', 'failed', 'succeeded', 'failed')), 2);
  assert.equal(failedStreak(runs('running', 'failed', 'failed', 'failed')), 3);
  assert.equal(failedStreak(runs('succeeded', 'failed')), 0);
  assert.equal(failedStreak(runs('cancelled', 'failed')), 0, 'a pause is not a failure, and ends the streak');
  assert.equal(failedStreak([]), 0);
});
