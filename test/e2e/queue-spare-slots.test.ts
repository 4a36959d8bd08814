import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { REGISTRY, useHeldQueueRig } from './held-queue-rig.js';
import { until } from './sync-kit.js';

/*
 * A worker's BullMQ slots beyond its copy slots (`prefetch`) wait for jobs only while every copy
 * slot is busy: an idle worker offers as many takers as it has free copy slots, so a burst of jobs
 * is not taken into its hold while another worker has free slots. Real redis-server, whose CLIENT LIST
 * shows which BullMQ slots wait for a job (blocked in BZPOPMIN); the engine is the test's own.
 */

const rigFor = useHeldQueueRig('queue-spare-slots');

const target = (image: string): string => `${REGISTRY}/${image}`;

/** The connections of BullMQ slots: those blocked waiting for a job, and those whose last wait ended (with how long ago, s). */
async function slotConnections(redis: Redis): Promise<{ waiting: number; ended: number[] }> {
  const lines = (await redis.client('LIST')) as string;
  const slots = lines.split('\n').filter((l) => l.includes(' cmd=bzpopmin '));
  const blocked = (l: string): boolean => /flags=\S*b/.test(l);
  return {
    waiting: slots.filter(blocked).length,
    ended: slots.filter((l) => !blocked(l)).map((l) => Number(/ idle=(\d+)/.exec(l)?.[1] ?? -1)),
  };
}

/** The test's rig and one worker of `options`; `waiting(n)` waits until n BullMQ slots wait for jobs. */
async function oneWorker(t: TestContext, name: string, options: { concurrency: number; prefetch: number }) {
  const rig = rigFor(t, name);
  await rig.queue.ready();
  const redis = new Redis(rig.url);
  t.after(() => redis.quit());
  const worker = await rig.startWorker(options);
  const waiting = (n: number, what: string): Promise<true> =>
    until(async () => (await slotConnections(redis)).waiting === n || undefined, what);
  return { rig, redis, worker, waiting };
}

test('an idle worker has as many slots waiting for jobs as free copy slots; its spare slots wait only once all are busy', async (t) => {
  const { rig, redis, worker: a, waiting } = await oneWorker(t, 'spare-idle', { concurrency: 2, prefetch: 2 });
  await waiting(2, 'the two free copy slots waiting');
  // One copy, to its end: a slot took it while the other went on waiting, then took again.
  const first = rig.copy('a:1');
  await until(() => a.engine.started.length === 1 || undefined, 'the first copy');
  a.engine.end(target('a:1'));
  assert.equal((await first).status, 'copied');
  // Every slot that ever waited for a job keeps BZPOPMIN as its connection's last command: only
  // two ever did, where a worker whose every slot waited offered 4 takers to a burst, 2 of them
  // for jobs it could only hold while another worker had free slots.
  const idle = await slotConnections(redis);
  assert.equal(idle.waiting + idle.ended.length, 2, `the slots that ever waited for a job: ${JSON.stringify(idle)}`);
  // Both copy slots busy: the two spare slots wait for jobs to hold ahead.
  const busy = ['b:1', 'c:1'].map((image) => rig.copy(image));
  await until(() => a.engine.started.length === 3 || undefined, 'two copies at once');
  const full = await until(async () => {
    const now = await slotConnections(redis);
    return now.waiting === 2 && now.waiting + now.ended.length === 4 ? now : undefined;
  }, 'the spare slots waiting');
  assert.equal(full.waiting, 2);
  for (const image of ['b:1', 'c:1']) a.engine.end(target(image));
  assert.deepEqual(
    (await Promise.all(busy)).map((r) => r.status),
    ['copied', 'copied'],
  );
});

test('a spare slot leaves the line of waiting slots once a copy slot is free again', async (t) => {
  const { rig, redis, worker: a, waiting } = await oneWorker(t, 'spare-leaves', { concurrency: 1, prefetch: 1 });
  await waiting(1, 'the free copy slot waiting');
  const copy = rig.copy('a:1');
  await until(() => a.engine.started.length === 1 || undefined, 'the copy');
  // Busy: the spare slot waits for a job to hold ahead.
  await waiting(1, 'the spare slot waiting');
  a.engine.end(target('a:1'));
  assert.equal((await copy).status, 'copied');
  // Free again: one slot waits; the spare's wait ended (within SLOT_WAIT_SECONDS) and was not
  // renewed (an active slot waits again at once: its connection is never idle a second unblocked).
  const settled = await until(async () => {
    const now = await slotConnections(redis);
    return now.waiting === 1 && now.ended.some((idle) => idle >= 2) ? now : undefined;
  }, 'the spare slot no longer waiting for jobs');
  assert.equal(settled.waiting, 1);
});
