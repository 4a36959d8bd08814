import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withinGrace } from './grace-period.js';

test('withinGrace: true when the work ends first, false when the grace elapses, false at once when hurried', async () => {
  assert.equal(await withinGrace(Promise.resolve(), 60_000), true);
  assert.equal(await withinGrace(new Promise(() => undefined), 0), false);
  const hurry = new AbortController();
  const waiting = withinGrace(new Promise(() => undefined), 3_600_000, hurry.signal);
  hurry.abort();
  assert.equal(await waiting, false, 'a second signal ends the hour-long grace at once');
  assert.equal(await withinGrace(new Promise(() => undefined), 3_600_000, hurry.signal), false, 'already hurried');
});
