import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Queue, type Job } from 'bullmq';
import { startRedis, type TestRedis } from '../harness/index.js';
import { redisOptions } from '../../src/queue/redis-connection.js';
import { SlotWorkers } from '../../src/queue/slot-workers.js';

// The worker's copy slots against a real redis-server: a job taken is started before its process
// takes another (BullMQ's worker of concurrency N took every job it had room for first).

let redis: TestRedis | undefined;
/** The connection options of the file's redis-server. */
const connection = (): ReturnType<typeof redisOptions> => {
  if (!redis) throw new Error('redis-server did not start');
  return redisOptions(redis.url);
};
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

/** Every job's take (BullMQ turning what Redis answered into a job) and start (the processor called), in order. */
function recordTakes(slots: SlotWorkers<{ n: number }, string>, order: string[]): void {
  for (const worker of slots.workers) {
    const internals = worker as unknown as { nextJobFromJobData: (...args: unknown[]) => Promise<Job | undefined> };
    const original = internals.nextJobFromJobData.bind(worker);
    internals.nextJobFromJobData = async (...args) => {
      const job = await original(...args);
      if (job) order.push(`taken ${job.data.n}`);
      return job;
    };
  }
}

test('three slots take three queued jobs, each started before another is taken, and run them at once', async (t) => {
  const queue = new Queue<{ n: number }, string>('slots-start', { connection: connection() });
  t.after(() => queue.close());
  await queue.addBulk([1, 2, 3].map((n) => ({ name: 'copy', data: { n } })));
  const order: string[] = [];
  let allStarted = (): void => undefined;
  const started = new Promise<void>((resolve) => (allStarted = resolve));
  const slots = new SlotWorkers<{ n: number }, string>(
    'slots-start',
    async (job) => {
      order.push(`start ${job.data.n}`);
      if (order.filter((e) => e.startsWith('start')).length === 3) allStarted();
      // Each job runs until all three are running: three slots, three jobs at once.
      await started;
      return `done ${job.data.n}`;
    },
    { connection: connection(), slots: 3 },
    (error) => assert.fail(error),
  );
  recordTakes(slots, order);
  t.after(() => slots.close());
  const ended: string[] = [];
  for (const worker of slots.workers) worker.on('completed', (_job, result) => ended.push(result));
  const allEnded = new Promise<void>((resolve) =>
    slots.workers.forEach((w) =>
      w.on('completed', () => {
        if (ended.length === 3) resolve();
      }),
    ),
  );
  await slots.start();
  await allEnded;
  assert.deepEqual(ended.sort(), ['done 1', 'done 2', 'done 3']);
  assert.equal(order.length, 6);
  // Each take is followed by its own start: no job waits, taken, while its process takes more.
  for (let i = 0; i < order.length; i += 2) assert.equal(order[i + 1], order[i]?.replace('taken', 'start'), order.join(', '));
});

test('only the first slot looks for stalled jobs; every slot runs one job at a time', async (t) => {
  const slots = new SlotWorkers<{ n: number }, string>(
    'slots-options',
    () => Promise.resolve('done'),
    { connection: connection(), slots: 4 },
    () => undefined,
  );
  t.after(() => slots.close());
  assert.equal(slots.workers.length, 4);
  assert.deepEqual(
    slots.workers.map((w) => [w.opts.concurrency, w.opts.skipStalledCheck === true]),
    [
      [1, false],
      [1, true],
      [1, true],
      [1, true],
    ],
  );
});
