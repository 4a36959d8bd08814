import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueueEvent } from '../../src/queue/index.js';
import { REGISTRY, useHeldQueueRig } from './held-queue-rig.js';
import { until } from './sync-kit.js';

/*
 * A worker takes `prefetch` jobs ahead of a free copy slot: the one taken ahead waits in the
 * worker and starts the moment a copy ends, a cancel reaches it there, and a stopping worker
 * hands it back to the queue unstarted. Real redis-server; the engine is the test's own, whose
 * copies end when the test says (what is under test is who runs which job when, not a copy).
 */

const rigFor = useHeldQueueRig('queue-prefetch');

const target = (image: string): string => `${REGISTRY}/${image}`;
const taken = (log: QueueEvent[]): Array<QueueEvent & { type: 'copy-job-taken' }> =>
  log.filter((e): e is QueueEvent & { type: 'copy-job-taken' } => e.type === 'copy-job-taken');

test('a job taken ahead waits for the busy slot and starts the moment its copy ends', async (t) => {
  const rig = rigFor(t, 'prefetch-starts');
  await rig.queue.ready();
  const { engine, log } = await rig.startWorker();
  assert.deepEqual(
    log.flatMap((e) => (e.type === 'worker-ready' ? [[e.concurrency, e.prefetch]] : [])),
    [[1, 1]],
  );
  const copies = ['a:1', 'b:1', 'c:1'].map((image) => rig.copy(image));
  await until(() => engine.started.length === 1 || undefined, 'the first copy');
  // One copy runs, one job waits in the worker (taken: active in Redis), the third in the queue.
  await until(async () => (await rig.jobs.getActiveCount()) === 2 || undefined, 'a second job taken ahead');
  assert.equal(await rig.jobs.getWaitingCount(), 1);
  assert.equal(engine.started.length, 1, 'the job taken ahead waits for the slot');
  const first = engine.started[0] ?? '';
  const ended = log.length;
  engine.end(first);
  // Started at once, in the turn that ended the first copy: no Redis round trip in between.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(engine.started.length, 2, `started after ${first} ended: ${engine.started.join(', ')}`);
  const next = log.slice(ended).filter((e) => e.type === 'copy-job-ended' || e.type === 'copy-job-taken');
  assert.deepEqual(
    next.map((e) => e.type),
    ['copy-job-ended', 'copy-job-taken'],
  );
  // The second waited for the slot (the test's looks at the queue at least); the first found it free: 0, not a short wait.
  const [firstTaken, secondTaken] = taken(log);
  assert.ok(secondTaken && secondTaken.heldMs > 0, `the second job says it was held: ${JSON.stringify(secondTaken)}`);
  assert.equal(firstTaken?.heldMs, 0, `the first found a free slot: ${JSON.stringify(firstTaken)}`);
  engine.end(engine.started[1] ?? '');
  await until(() => engine.started.length === 3 || undefined, 'the third copy');
  engine.end(engine.started[2] ?? '');
  const results = await Promise.all(copies);
  assert.deepEqual(results.map((r) => r.status).sort(), ['copied', 'copied', 'copied']);
  assert.deepEqual([...engine.started].sort(), ['a:1', 'b:1', 'c:1'].map(target));
});

test('without prefetch a worker of one slot holds one job: the next stays in the queue while it copies', async (t) => {
  const rig = rigFor(t, 'prefetch-none');
  await rig.queue.ready();
  const { engine, log } = await rig.startWorker({ prefetch: 0 });
  const copies = ['a:1', 'b:1'].map((image) => rig.copy(image));
  await until(() => engine.started.length === 1 || undefined, 'the first copy');
  // A second worker with prefetch takes the other job ahead while the first still copies: so
  // the first had a chance to take it, and did not.
  const other = await rig.startWorker({ prefetch: 1 });
  await until(() => other.engine.started.length === 1 || undefined, "the other worker's copy");
  assert.equal(engine.started.length, 1);
  assert.equal(taken(log).length, 1);
  for (const w of rig.workers) w.engine.end(w.engine.started[0] ?? '');
  assert.deepEqual(
    (await Promise.all(copies)).map((r) => r.status),
    ['copied', 'copied'],
  );
});

test('a cancel reaches a job waiting for a slot: it ends cancelled, never copied', async (t) => {
  const rig = rigFor(t, 'prefetch-cancel');
  await rig.queue.ready();
  const { engine, log } = await rig.startWorker();
  const first = rig.copy('a:1');
  await until(() => engine.started.length === 1 || undefined, 'the first copy');
  const stop = new AbortController();
  const second = rig.copy('b:1', stop.signal);
  await until(async () => (await rig.jobs.getActiveCount()) === 2 || undefined, 'the second job taken ahead');
  stop.abort();
  await assert.rejects(second, /cancel/i);
  await until(() => log.some((e) => e.type === 'copy-job-ended' && e.status === 'cancelled') || undefined, 'its end, cancelled');
  engine.end(engine.started[0] ?? '');
  assert.equal((await first).status, 'copied');
  assert.deepEqual(engine.started, [target('a:1')], 'the cancelled job never reached the engine');
  assert.deepEqual(
    taken(log).map((e) => e.target),
    [target('a:1')],
    'the cancelled job is not logged as taken: it never had a copy slot',
  );
});

test('a stopping worker hands the job it took ahead back at once: another worker runs it, no try counted', async (t) => {
  const rig = rigFor(t, 'prefetch-stop');
  await rig.queue.ready();
  const one = await rig.startWorker();
  const copies = ['a:1', 'b:1'].map((image) => rig.copy(image));
  await until(() => one.engine.started.length === 1 || undefined, 'the first copy');
  await until(async () => (await rig.jobs.getActiveCount()) === 2 || undefined, 'the second job taken ahead');
  // A long grace: the copy under way keeps its slot; the job taken ahead must not wait for it.
  const stopped = one.worker.stop(60_000);
  const returned = await until(
    () => one.log.flatMap((e) => (e.type === 'copy-job-returned' && e.why === 'stopping' ? [e.target] : []))[0],
    'the job handed back',
  );
  const held = ['a:1', 'b:1'].map(target).find((x) => !one.engine.started.includes(x));
  assert.equal(returned, held);
  const two = await rig.startWorker();
  await until(() => two.engine.started.length === 1 || undefined, "the other worker's copy of the job handed back");
  assert.deepEqual(two.engine.started, [held]);
  assert.equal(taken(two.log)[0]?.attempt, 1, 'handing back counted no try');
  two.engine.end(held ?? '');
  one.engine.end(one.engine.started[0] ?? '');
  assert.equal(await stopped, 'closed');
  assert.deepEqual(
    (await Promise.all(copies)).map((r) => r.status),
    ['copied', 'copied'],
  );
  assert.deepEqual(one.engine.started.length, 1, 'the stopping worker started nothing more');
});

test('a job held past the hold limit goes back to the queue for an idle worker; its slot takes again once a copy ends', async (t) => {
  const rig = rigFor(t, 'prefetch-hold-limit');
  await rig.queue.ready();
  const one = await rig.startWorker({ holdLimitMs: 300 });
  const copies = ['a:1', 'b:1'].map((image) => rig.copy(image));
  await until(() => one.engine.started.length === 1 || undefined, 'the first copy');
  const returns = (): string[] => one.log.flatMap((e) => (e.type === 'copy-job-returned' && e.why === 'held' ? [e.target] : []));
  await until(() => returns()[0], 'the job held too long handed back');
  const [copying] = one.engine.started;
  const held = ['a:1', 'b:1'].map(target).find((x) => x !== copying);
  assert.deepEqual(returns(), [held]);
  // An idle worker (no prefetch: it takes one job, the one handed back) runs it while the first copy goes on.
  const two = await rig.startWorker({ prefetch: 0 });
  await until(() => two.engine.started.length === 1 || undefined, "the idle worker's copy of the job handed back");
  assert.deepEqual(two.engine.started, [held]);
  assert.equal(taken(two.log)[0]?.attempt, 1, 'handing back counted no try');
  // The slot that handed it back did not take it again meanwhile (that would have been a second hand-back).
  assert.deepEqual(returns(), [held]);
  assert.deepEqual(one.engine.started, [copying]);
  // The first copy ends: the first worker takes jobs again, with both its BullMQ slots: it runs
  // one job and holds the next ahead (the second worker is busy and holds none), until the hold limit.
  one.engine.end(copying ?? '');
  const more = ['c:1', 'd:1'].map((image) => rig.copy(image));
  await until(() => one.engine.started.length === 2 || undefined, 'the first worker taking again');
  const running = one.engine.started[1];
  const next = ['c:1', 'd:1'].map(target).find((x) => x !== running);
  await until(() => returns().includes(next ?? '') || undefined, 'the next job taken ahead, held, handed back');
  for (const w of rig.workers) for (const started of w.engine.started) w.engine.end(started);
  await until(() => rig.workers.some((w) => w.engine.started.includes(next ?? '')) || undefined, 'the last copy');
  for (const w of rig.workers) w.engine.end(next ?? '');
  assert.deepEqual(
    (await Promise.all([...copies, ...more])).map((r) => r.status),
    ['copied', 'copied', 'copied', 'copied'],
  );
});
