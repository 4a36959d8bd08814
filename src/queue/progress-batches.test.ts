import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBatches, type Numbered } from './progress-batches.js';

test('events pushed while a send is on its way go in one next send, in order and numbered, and sent() waits for all of them', async () => {
  const sends: Array<Numbered<number>> = [];
  const waiting: Array<() => void> = [];
  const batches = new ProgressBatches<number>((batch) => {
    sends.push(batch);
    return new Promise<void>((resolve) => waiting.push(resolve));
  });
  batches.push(1);
  batches.push(2);
  batches.push(3);
  batches.push(4);
  assert.deepEqual(sends, [{ first: 0, items: [1] }]);
  let allSent = false;
  const done = batches.sent().then(() => (allSent = true));
  waiting.shift()?.();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sends, [
    { first: 0, items: [1] },
    { first: 1, items: [2, 3, 4] },
  ]);
  assert.equal(allSent, false);
  waiting.shift()?.();
  await done;
  assert.equal(allSent, true);
  batches.push(5);
  assert.deepEqual(sends.at(-1), { first: 4, items: [5] });
});

test('a failed send does not stop the later ones, and its events stay to be taken', async () => {
  const sends: Array<Numbered<string>> = [];
  const batches = new ProgressBatches<string>(async (batch) => {
    sends.push(batch);
    if (batch.items.includes('a')) throw new Error('redis gone');
  });
  batches.push('a');
  batches.push('b');
  await batches.sent();
  assert.deepEqual(sends, [
    { first: 0, items: ['a'] },
    { first: 1, items: ['b'] },
  ]);
  // 'b' was stored, but after a lost 'a': from 'a' on, the result carries them (the receiver drops what it has).
  assert.deepEqual(batches.take(), { first: 0, items: ['a', 'b'] });
});

test('take() answers the events on their way and the pending ones, after those known stored, and ends the sending', async () => {
  const sends: Array<Numbered<number>> = [];
  const waiting: Array<() => void> = [];
  const batches = new ProgressBatches<number>((batch) => {
    sends.push(batch);
    return new Promise<void>((resolve) => waiting.push(resolve));
  });
  batches.push(1);
  waiting.shift()?.();
  await batches.sent();
  batches.push(2);
  batches.push(3);
  assert.deepEqual(sends.at(-1), { first: 1, items: [2] });
  assert.deepEqual(batches.take(), { first: 1, items: [2, 3] });
  waiting.shift()?.();
  await batches.sent();
  batches.push(4);
  assert.equal(sends.length, 2, 'nothing is sent once taken');
});

test('with a gap, the first event goes at once and the next ones wait for it together: take() answers them without a send', async () => {
  const sends: Array<Numbered<number>> = [];
  const batches = new ProgressBatches<number>(
    async (batch) => {
      sends.push(batch);
    },
    { gapMs: 60_000 },
  );
  batches.push(1);
  assert.deepEqual(sends, [{ first: 0, items: [1] }]);
  await new Promise((resolve) => setImmediate(resolve));
  batches.push(2);
  batches.push(3);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sends.length, 1, 'within the gap, nothing more is sent');
  assert.deepEqual(batches.take(), { first: 1, items: [2, 3] });
  assert.equal(sends.length, 1, 'taken: the result carries them');
});

test('with a gap, sent() sends what waits at once, and the events of a gap go in one send once it passed', async () => {
  const sends: Array<Numbered<number>> = [];
  const long = new ProgressBatches<number>(async (batch) => void sends.push(batch), { gapMs: 60_000 });
  long.push(1);
  await new Promise((resolve) => setImmediate(resolve));
  long.push(2);
  await long.sent();
  assert.deepEqual(sends, [
    { first: 0, items: [1] },
    { first: 1, items: [2] },
  ]);

  const later: Array<Numbered<string>> = [];
  let secondSent: () => void = () => undefined;
  const second = new Promise<void>((resolve) => (secondSent = resolve));
  const short = new ProgressBatches<string>(
    async (batch) => {
      later.push(batch);
      if (later.length === 2) secondSent();
    },
    { gapMs: 5 },
  );
  short.push('a');
  await new Promise((resolve) => setImmediate(resolve));
  short.push('b');
  short.push('c');
  await second;
  assert.deepEqual(later, [
    { first: 0, items: ['a'] },
    { first: 1, items: ['b', 'c'] },
  ]);
  await short.sent();
  assert.deepEqual(short.take(), { first: 3, items: [] });
});
