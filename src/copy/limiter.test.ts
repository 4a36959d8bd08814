import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Limiter } from './limiter.js';

test('never runs more than the limit at once, and runs everything', async () => {
  const limiter = new Limiter(3);
  let running = 0;
  let peak = 0;
  const gates: Array<() => void> = [];
  const jobs = Array.from({ length: 10 }, (_, i) =>
    limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
      return i;
    }),
  );
  // Release waiting jobs one at a time as they arrive: each release lets exactly one more start.
  while (gates.length || limiter.active) {
    await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  }
  assert.deepEqual(await Promise.all(jobs), [...Array(10).keys()]);
  assert.equal(peak, 3);
});

test('a failing job frees its slot', async () => {
  const limiter = new Limiter(1);
  await assert.rejects(
    limiter.run(async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(await limiter.run(async () => 'ok'), 'ok');
  assert.throws(() => new Limiter(0), /positive integer/);
});

test('waiters start highest priority first, in arrival order among equals', async () => {
  const limiter = new Limiter(1);
  const order: string[] = [];
  let release: (() => void) | undefined;
  const first = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
  const queued = [
    ['small-a', 1],
    ['large', 400],
    ['small-b', 1],
    ['medium', 30],
    ['default', 0],
    ['large-2', 400],
  ] as const;
  const jobs = queued.map(([name, priority]) => limiter.run(async () => void order.push(name), priority));
  assert.equal(limiter.waiting, queued.length);
  while (!release) await new Promise((r) => setImmediate(r)); // the first job has started
  release();
  await Promise.all([first, ...jobs]);
  assert.deepEqual(order, ['large', 'large-2', 'medium', 'small-a', 'small-b', 'default']);
});

test('acquire hands out a slot until its release is called, once', async () => {
  const limiter = new Limiter(1);
  const release = await limiter.acquire();
  let second = false;
  const next = limiter.acquire().then((r) => {
    second = true;
    return r;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(second, false, 'the only slot is taken');
  release();
  release(); // a second call must not free a slot it no longer holds
  const releaseNext = await next;
  assert.equal(limiter.active, 1);
  let third = false;
  void limiter.acquire().then(() => (third = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false, 'the double release did not open a second slot');
  releaseNext();
});
