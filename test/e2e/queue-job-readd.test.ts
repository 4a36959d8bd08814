import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { CopyQueue } from '../../src/queue/index.js';
import type { QueueEvent } from '../../src/queue/queue-events.js';
import { COPY_QUEUE } from '../../src/queue/queue-names.js';
import { startRedis, type TestRedis } from '../harness/index.js';
import { until } from './sync-kit.js';

/*
 * A job Redis lost is added again under a new id; until Redis has answered that add, the new id is
 * in no list of Redis, and a look at the followed jobs in that gap must not take it for lost too
 * (a second `copy-job-lost`, a second add: a second copy of the image once the first has ended and
 * its de-duplication key is gone). The adds are held in the test (BullMQ's Queue.add, wrapped), so
 * the look runs exactly while one is under way; Redis is real, and it really lost everything (FLUSHALL).
 */

let redis: TestRedis;
let client: Redis;

before(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
after(async () => {
  client.disconnect();
  await redis.stop();
});

test('a look while a lost job is being added again does not take the new job for lost: one lost event, one add, one copy', async (t) => {
  const settings = { url: redis.url, name: 'job-readd', stalledSeconds: 30 };
  const connection = { host: '127.0.0.1', port: redis.port };
  const events: QueueEvent[] = [];
  // The timer's own looks are out of the way: the test runs each look.
  const queue = new CopyQueue(settings, (event) => events.push(event), { checkEveryMs: 3_600_000 });
  const jobs = new Queue(COPY_QUEUE, { connection, prefix: settings.name });

  // Every add of a copy job from here on waits for the test to let it go (in the order made).
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the queue's own `this` below
  const add = Queue.prototype.add;
  const held: Array<{ jobId: string | undefined; go: () => void; done: Promise<unknown> }> = [];
  let holding = false;
  Queue.prototype.add = function (this: Queue, ...args: Parameters<Queue['add']>) {
    if (!holding || args[0] !== 'copy') return add.apply(this, args);
    let go = (): void => undefined;
    const gate = new Promise<void>((resolve) => (go = resolve));
    const done = gate.then(() => add.apply(this, args));
    held.push({ jobId: args[2]?.jobId, go, done: done.catch(() => undefined) });
    return done;
  } as Queue['add'];
  const workers: Worker[] = [];
  t.after(async () => {
    Queue.prototype.add = add;
    for (const hold of held) hold.go();
    await Promise.all([queue.close(), jobs.close(), ...workers.map((w) => w.close())]);
  });

  await queue.ready();
  const source = 'src.example/app:v1';
  const target = 'mirror.example/app:v1';
  const copied = queue.copy('mirror.example', { source, target });
  await until(async () => (await jobs.getWaitingCount()) === 1, 'the job to be queued');
  const [first] = await jobs.getWaiting(0, 0);
  assert.ok(first?.id);

  // Redis restarted without its data; the next look finds the job gone and adds it again (held).
  await client.flushall();
  holding = true;
  await queue.check();
  assert.equal(held.length, 1, 'the lost job is being added again');
  // A look while that add is under way: the new id is not in Redis yet, and that is not "lost".
  await queue.check();

  // A worker runs what is queued; the held adds go one at a time, each job ending before the next add.
  const ran: string[] = [];
  const result = { status: 'skipped', source, target, manifestsWritten: 0 };
  const worker = new Worker(
    COPY_QUEUE,
    async (job: Job) => {
      ran.push(job.id ?? '');
      return { status: 'done', result };
    },
    { connection, prefix: settings.name },
  );
  workers.push(worker);
  holding = false;
  for (const hold of held) {
    const ended = new Promise<void>((resolve) => worker.once('completed', () => resolve()));
    hold.go();
    const job = (await hold.done) as Job | undefined;
    // A job that was added (not folded into one already queued) runs to its end before the next add.
    if (job?.id === hold.jobId) await ended;
  }
  assert.deepEqual(await copied, result);

  assert.deepEqual(
    {
      lost: events.flatMap((e) => (e.type === 'copy-job-lost' ? [e.job] : [])),
      added: held.length,
      ran: ran.length,
    },
    { lost: [first.id], added: 1, ran: 1 },
  );
  // The job it follows now is in Redis: a later look finds nothing lost.
  await queue.check();
  assert.equal(events.filter((e) => e.type === 'copy-job-lost').length, 1);
});
