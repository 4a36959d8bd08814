import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LISTINGS_IDLE_MS, LISTINGS_KEPT, RunListings } from './run-listings.js';

test("a run's jobs share one listings; another run has its own; a job that names no run has none", () => {
  const runs = new RunListings(() => 0);
  const first = runs.of('run-a');
  assert.ok(first);
  assert.equal(runs.of('run-a'), first);
  const other = runs.of('run-b');
  assert.ok(other);
  assert.notEqual(other, first);
  assert.equal(runs.of(undefined), undefined);
  assert.equal(runs.size, 2);
});

test('a run none of whose jobs came for the idle limit is forgotten: its next job lists afresh; one used meanwhile is kept', () => {
  let now = 0;
  const runs = new RunListings(() => now);
  const idle = runs.of('idle');
  const busy = runs.of('busy');
  now = LISTINGS_IDLE_MS / 2;
  assert.equal(runs.of('busy'), busy);
  now = LISTINGS_IDLE_MS + 1;
  assert.equal(runs.of('busy'), busy, 'used half way: not idle for the limit');
  assert.equal(runs.size, 1, 'the idle run was dropped');
  assert.notEqual(runs.of('idle'), idle);
});

test('past the limit of runs kept, the least recently used goes first', () => {
  const runs = new RunListings(() => 0);
  const made = Array.from({ length: LISTINGS_KEPT }, (_, i) => runs.of(`run-${i}`));
  assert.equal(runs.of('run-0'), made[0], 'used again: now the most recent');
  runs.of('one-more');
  assert.equal(runs.size, LISTINGS_KEPT);
  assert.equal(runs.of('run-0'), made[0]);
  assert.equal(runs.of('run-2'), made[2]);
  assert.notEqual(runs.of('run-1'), made[1], 'run-1 was the least recently used: dropped, then made again');
});
