import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobEventOrder } from './job-event-order.js';

test("progress and the result's trailing events that overlap are applied once, in order", () => {
  const order = new JobEventOrder<string>();
  assert.deepEqual(order.add(1, { first: 0, items: ['a', 'b'] }), ['a', 'b']);
  // The result carries from 'c' on though the update with 'c' and 'd' was stored and came first.
  assert.deepEqual(order.add(1, { first: 2, items: ['c', 'd'] }), ['c', 'd']);
  assert.deepEqual(order.add(1, { first: 2, items: ['c', 'd', 'e'] }), ['e']);
  assert.deepEqual(order.end(), []);
});

test('events that come early wait for the ones before them', () => {
  const order = new JobEventOrder<string>();
  assert.deepEqual(order.add(1, { first: 0, items: ['a'] }), ['a']);
  // An update after a lost one: held until the result brings the lost events.
  assert.deepEqual(order.add(1, { first: 3, items: ['d'] }), []);
  assert.deepEqual(order.add(1, { first: 1, items: ['b', 'c', 'd', 'e'] }), ['b', 'c', 'd', 'e']);
  assert.deepEqual(order.end(), []);
});

test('at the end, events after a gap no one can fill are applied in order', () => {
  const order = new JobEventOrder<string>();
  order.add(1, { first: 4, items: ['e'] });
  order.add(1, { first: 2, items: ['c'] });
  assert.deepEqual(order.end(), ['c', 'e']);
  assert.deepEqual(order.end(), []);
});

test('a new attempt starts over at 0; a late update of an earlier attempt is dropped', () => {
  const order = new JobEventOrder<string>();
  assert.deepEqual(order.add(1, { first: 0, items: ['a1', 'b1'] }), ['a1', 'b1']);
  order.add(1, { first: 3, items: ['d1'] });
  assert.deepEqual(order.add(2, { first: 0, items: ['a2'] }), ['a2']);
  assert.deepEqual(order.add(1, { first: 2, items: ['c1'] }), []);
  assert.deepEqual(order.add(2, { first: 1, items: ['b2'] }), ['b2']);
  assert.deepEqual(order.end(), []);
});

test('caughtUp: whether every event before a result was applied, in its attempt', () => {
  const order = new JobEventOrder<string>();
  assert.equal(order.caughtUp(1, 0), true, 'nothing stored, nothing applied: a result with every event applies');
  assert.equal(order.caughtUp(1, 2), false, 'two stored, none applied yet');
  order.add(1, { first: 0, items: ['a', 'b'] });
  assert.equal(order.caughtUp(1, 2), true);
  assert.equal(order.caughtUp(1, 1), true, 'more applied than the worker knew stored');
  assert.equal(order.caughtUp(1, 3), false);
  assert.equal(order.caughtUp(2, 0), true, 'a new attempt from its first event');
  assert.equal(order.caughtUp(2, 1), false);
  order.add(2, { first: 0, items: ['x'] });
  assert.equal(order.caughtUp(1, 0), false, 'an earlier attempt is over');
});
