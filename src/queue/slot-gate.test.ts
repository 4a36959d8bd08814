import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlotGate } from './slot-gate.js';

test('jobs beyond the slots wait, and a freed slot goes to the one that waited longest', async () => {
  const gate = new SlotGate(1);
  const first = await gate.take(new AbortController().signal);
  assert.ok(first);
  const order: string[] = [];
  const second = gate.take(new AbortController().signal).then((release) => (order.push('second'), release));
  const third = gate.take(new AbortController().signal).then((release) => (order.push('third'), release));
  assert.equal(gate.waiting, 2);
  first();
  first(); // a second call frees nothing more
  const secondRelease = await second;
  assert.deepEqual(order, ['second']);
  assert.equal(gate.waiting, 1);
  secondRelease?.();
  (await third)?.();
  assert.deepEqual(order, ['second', 'third']);
  assert.equal(gate.waiting, 0);
});

test('a freed slot starts the waiting job in the same turn, before anything taken later', async () => {
  const gate = new SlotGate(1);
  const release = await gate.take(new AbortController().signal);
  let started = false;
  const waiting = gate.take(new AbortController().signal).then((r) => ((started = true), r));
  release?.();
  // Taken after the release: the slot already belongs to the waiting job.
  const late = gate.take(new AbortController().signal);
  await Promise.resolve();
  assert.equal(started, true);
  assert.equal(gate.waiting, 1);
  (await waiting)?.();
  assert.ok(await late);
});

test('an abort while waiting leaves the line without a slot; one aborted before asking gets none', async () => {
  const gate = new SlotGate(1);
  const release = await gate.take(new AbortController().signal);
  const controller = new AbortController();
  const aborted = gate.take(controller.signal);
  const after = gate.take(new AbortController().signal);
  controller.abort('cancelled');
  assert.equal(await aborted, undefined);
  assert.equal(gate.waiting, 1);
  release?.();
  assert.ok(await after);
  const gone = new AbortController();
  gone.abort();
  assert.equal(await new SlotGate(3).take(gone.signal), undefined);
  assert.throws(() => new SlotGate(0), /at least one slot/);
});

test('onFree is called when a slot is left free, not when it goes to a waiting job', async () => {
  let freed = 0;
  const gate = new SlotGate(1, () => freed++);
  const first = await gate.take(new AbortController().signal);
  const second = gate.take(new AbortController().signal);
  first?.();
  assert.equal(freed, 0, 'handed to the waiting job');
  (await second)?.();
  assert.equal(freed, 1, 'no one waiting: left free');
});

test('tryTake answers a free slot at once, and nothing while every slot is taken', () => {
  const gate = new SlotGate(1);
  const release = gate.tryTake();
  assert.ok(release);
  assert.equal(gate.tryTake(), undefined);
  release();
  assert.ok(gate.tryTake());
});
