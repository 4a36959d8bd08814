import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlotBalance, type PausableSlots } from './slot-balance.js';

/** Slots that record which are paused; a gate whose free slots and waiting jobs the test sets. */
function rig(slots: number, copySlots: number, prefetch: number) {
  const paused = new Set<number>(Array.from({ length: slots - copySlots }, (_, i) => copySlots + i));
  const pausable: PausableSlots = {
    pause: async (slot) => void paused.add(slot),
    resume: (slot) => void paused.delete(slot),
  };
  const gate = { free: copySlots, waiting: 0 };
  const balance = new SlotBalance(pausable, gate, prefetch, slots);
  const takers = (): number[] => Array.from({ length: slots }, (_, i) => i).filter((i) => !paused.has(i) && !busy.has(i));
  const busy = new Set<number>();
  const take = (slot: number, running: boolean): void => {
    busy.add(slot);
    balance.taken(slot);
    if (running) gate.free--;
    else gate.waiting++;
    balance.balance();
  };
  const end = (slot: number, running: boolean): void => {
    busy.delete(slot);
    if (running) gate.free++;
    else gate.waiting--;
    balance.ended(slot);
  };
  return { balance, gate, paused, takers, take, end };
}

test('an idle worker has its free copy slots taking jobs; its spare slots take only once every copy slot is busy', () => {
  const r = rig(4, 2, 2);
  r.balance.balance();
  assert.deepEqual(r.takers(), [0, 1]);
  r.take(1, true);
  assert.deepEqual(r.takers(), [0], 'one copy slot free: one taker');
  r.take(0, true);
  assert.deepEqual(r.takers(), [2, 3], 'all busy: the spares take jobs to hold');
  r.take(2, false);
  assert.deepEqual(r.takers(), [3], 'one held: room for one more');
  r.end(1, true);
  // The held job got the freed copy slot (the gate hands it on): still all busy, one held no more.
  r.gate.waiting--;
  r.gate.free--;
  r.balance.balance();
  assert.deepEqual(r.takers(), [1, 3]);
  r.end(0, true);
  assert.deepEqual(r.takers(), [0], 'a copy slot free again: the spares stop, slot 0 (the stalled look) takes first');
});

test('a slot that handed its job back takes no other until a copy ends; a stopped balance resumes nothing', async () => {
  const r = rig(3, 1, 2);
  r.balance.balance();
  r.take(0, true);
  r.take(1, false);
  await r.balance.handingBack(1);
  r.end(1, false);
  assert.ok(r.paused.has(1), 'paused after its hand-back');
  assert.deepEqual(r.takers(), [2]);
  r.end(0, true);
  r.balance.copyEnded();
  assert.deepEqual(r.takers(), [0], 'free again; slot 1 may take, not needed now');
  r.take(0, true);
  assert.deepEqual(r.takers(), [1, 2]);
  r.balance.stop();
  const before = [...r.paused];
  r.end(0, true);
  assert.deepEqual([...r.paused], before, 'stopping: nothing paused or resumed any more (it would have paused 1 and 2)');
});
