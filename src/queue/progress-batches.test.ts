import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBatches } from './progress-batches.js';

test('events pushed while a send is on its way go in one next send, in order, and sent() waits for all of them', async () => {
  const sends: number[][] = [];
  const waiting: Array<() => void> = [];
  const batches = new ProgressBatches<number>((batch) => {
    sends.push(batch);
    return new Promise<void>((resolve) => waiting.push(resolve));
  });
  batches.push(1);
  batches.push(2);
  batches.push(3);
  batches.push(4);
  assert.deepEqual(sends, [[1]]);
  let allSent = false;
  const done = batches.sent().then(() => (allSent = true));
  waiting.shift()?.();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sends, [[1], [2, 3, 4]]);
  assert.equal(allSent, false);
  waiting.shift()?.();
  await done;
  assert.equal(allSent, true);
  batches.push(5);
  assert.deepEqual(sends, [[1], [2, 3, 4], [5]]);
});

test('a failed send does not stop the later ones', async () => {
  const sends: string[][] = [];
  const batches = new ProgressBatches<string>(async (batch) => {
    sends.push(batch);
    if (batch.includes('a')) throw new Error('redis gone');
  });
  batches.push('a');
  batches.push('b');
  await batches.sent();
  assert.deepEqual(sends, [['a'], ['b']]);
});
