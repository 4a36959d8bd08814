import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { CopyQueue } from '../../src/queue/index.js';
import { jobStates } from '../../src/queue/job-states.js';
import type { QueueEvent } from '../../src/queue/queue-events.js';
import { COPY_QUEUE } from '../../src/queue/queue-names.js';
import { startRedis, type TestRedis } from '../harness/index.js';
import { until } from './sync-kit.js';

/*
 * The server's periodic look at the jobs it follows (a missed end event, a job Redis lost) asks the
 * states of all of them at once: a few Redis commands per look, not one (or two) per job, which with
 * hundreds of jobs queued were hundreds of sequential round trips every 5 s. The states are BullMQ's.
 * No worker runs: the jobs stay queued, so what Redis holds is no race; the test runs the look itself.
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

/** Lua calls Redis ran since the last CONFIG RESETSTAT (BullMQ's lookups are EVALSHA, this module's EVAL). */
async function scriptCalls(): Promise<number> {
  const stats = await client.info('commandstats');
  return [...stats.matchAll(/^cmdstat_(?:eval|evalsha|eval_ro|evalsha_ro):calls=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

test('a look at 300 followed jobs asks Redis a few times, not once per job; a job Redis lost is still found and added again', async (t) => {
  const settings = { url: redis.url, name: 'job-check', stalledSeconds: 30 };
  const events: QueueEvent[] = [];
  // The timer's own looks are out of the way: the test runs each look.
  const queue = new CopyQueue(settings, (event) => events.push(event), { checkEveryMs: 3_600_000 });
  const jobs = new Queue(COPY_QUEUE, { connection: { host: '127.0.0.1', port: redis.port }, prefix: settings.name });
  t.after(() => Promise.all([queue.close(), jobs.close()]));
  await queue.ready();
  const copies = Array.from({ length: 300 }, (_, i) =>
    queue.copy('mirror.example', { source: `src.example/app:v${i}`, target: `mirror.example/app:v${i}` }).catch((e: unknown) => e),
  );
  await until(async () => (await jobs.getWaitingCount()) === 300, 'the 300 jobs to be queued');

  await client.config('RESETSTAT');
  await queue.check();
  const calls = await scriptCalls();
  assert.ok(calls <= 3, `one look at 300 jobs ran ${calls} scripts`);
  assert.deepEqual(
    events.filter((e) => e.type === 'copy-job-lost'),
    [],
  );

  // Redis lost one job (no event says so): the next look finds it gone and adds it again.
  const [lost] = await jobs.getWaiting(0, 0);
  assert.ok(lost?.id);
  await client.lrem(`${settings.name}:${COPY_QUEUE}:wait`, 0, lost.id);
  await client.del(`${settings.name}:${COPY_QUEUE}:${lost.id}`);
  assert.equal(await jobs.getJobState(lost.id), 'unknown');
  await queue.check();
  assert.deepEqual(
    events.flatMap((e) => (e.type === 'copy-job-lost' ? [[e.job, e.target]] : [])),
    [[lost.id, lost.data.target]],
  );
  await until(async () => (await jobs.getWaitingCount()) === 300, 'the lost job to be added again');
  assert.equal(copies.length, 300); // their callers still wait (no worker): the close below ends them
});

test("the states looked up at once are BullMQ's own for every state a job may be in", async (t) => {
  const prefix = 'job-states';
  const connection = { host: '127.0.0.1', port: redis.port };
  const jobs = new Queue('states', { connection, prefix });
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const worker = new Worker(
    'states',
    async (job: Job) => {
      if (job.name === 'fail') throw new Error('failed on purpose');
      if (job.name === 'hold') await held;
      return 'done';
    },
    { connection, prefix, concurrency: 1 },
  );
  t.after(async () => {
    release();
    await Promise.all([worker.close(), jobs.close()]);
  });
  const ended = (name: string): Promise<void> =>
    new Promise((resolve) => {
      const on = (job: Job | undefined): void => {
        if (job?.name !== name) return;
        worker.off('completed', on);
        worker.off('failed', on);
        resolve();
      };
      worker.on('completed', on);
      worker.on('failed', on);
    });
  const completedJob = ended('complete');
  await jobs.add('complete', {}, { jobId: 'completed-job' });
  await completedJob;
  const failedJob = ended('fail');
  await jobs.add('fail', {}, { jobId: 'failed-job', attempts: 1 });
  await failedJob;
  const active = new Promise<void>((resolve) => worker.once('active', () => resolve()));
  await jobs.add('hold', {}, { jobId: 'active-job' });
  await active;
  // The worker's one slot is held: these stay where they are put.
  await jobs.add('wait', {}, { jobId: 'waiting-job' });
  await jobs.add('later', {}, { jobId: 'delayed-job', delay: 3_600_000 });
  await jobs.add('urgent', {}, { jobId: 'prioritized-job', priority: 5 });
  await jobs.pause();
  await jobs.add('paused', {}, { jobId: 'paused-job' });

  const ids = ['completed-job', 'failed-job', 'active-job', 'waiting-job', 'delayed-job', 'prioritized-job', 'paused-job', 'no-such-job'];
  const own = await Promise.all(ids.map((id) => jobs.getJobState(id)));
  assert.deepEqual(own, ['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized', 'waiting', 'unknown']);
  assert.deepEqual(await jobStates(client, jobs.toKey, ids), own);
  // More ids than one call holds: the same answers, in order.
  const many = Array.from({ length: 1_200 }, (_, i) => ids[i % ids.length] ?? '');
  assert.deepEqual(
    await jobStates(client, jobs.toKey, many),
    many.map((id) => own[ids.indexOf(id)]),
  );
});
