import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CopyResult, CopyRunOptions, CopyTask } from '../../copy/index.js';
import { NetworkError } from '../../errors/index.js';
import { until } from '../../scheduler/scheduler-test-kit.js';
import { SqliteRunStore } from '../../store/sqlite-run-store.js';
import type { ServiceEvent } from '../service-events.js';
import { AddressPolicy } from './address-policy.js';
import { DistributeJobs } from './distribute-jobs.js';
import { distributeRequestSchema } from './request-schema.js';

/** Names resolve to a documentation address without DNS (network only to loopback in tests). */
const offline = new AddressPolicy(['loopback'], async () => ['203.0.113.10']);
const addressPolicy = () => offline;

interface PendingCopy {
  task: CopyTask;
  signal: AbortSignal | undefined;
  finish: (status: 'copied' | 'skipped' | Error) => void;
}

/** An engine whose copies end when the test says so, or fail when aborted. */
class FakeEngine {
  readonly copies: PendingCopy[] = [];
  copy(task: CopyTask, run: CopyRunOptions = {}): Promise<CopyResult> {
    return new Promise((resolve, reject) => {
      const finish = (status: 'copied' | 'skipped' | Error) =>
        status instanceof Error
          ? reject(status)
          : resolve({
              status,
              source: task.source,
              target: task.target,
              digest: 'sha256:1',
              sourceDigest: 'sha256:1',
              bytes: 1,
              blobsCopied: 1,
              blobsSkipped: 0,
              blobsMounted: 0,
              manifestsWritten: 1,
              durationMs: 1,
            });
      run.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      this.copies.push({ task, signal: run.signal, finish });
    });
  }

  to(endpointHost: string): PendingCopy {
    const found = this.copies.find((c) => c.task.target.startsWith(`${endpointHost}/`));
    if (!found) throw new Error(`no copy to ${endpointHost}`);
    return found;
  }
}

const request = distributeRequestSchema.parse({
  source: {
    endpoint: 'http://127.0.0.1:5000/v2',
    image: 'team/app',
    ref: 'v1',
    auth: { basicauth: { user: 'reader', password: 'source-pw' } },
  },
  targets: [
    { endpoint: 'http://a.example:5000/v2', auth: { basicauth: { user: 'writer', password: 'target-pw' } } },
    { endpoint: 'https://b.example/v2', overwrite: true, verify_tls: false },
    { endpoint: 'c.example' },
  ],
});

function setup(store = SqliteRunStore.open(':memory:')) {
  const engine = new FakeEngine();
  const events: ServiceEvent[] = [];
  const jobs = new DistributeJobs({ store, engine, emit: (e) => events.push(e), concurrency: 1, addressPolicy });
  return { store, engine, events, jobs };
}

test('a job copies to every target: finished, skipped (already there) and failed, then ends FAILED with the error', async () => {
  const { store, engine, events, jobs } = setup();
  const id = await jobs.submit(request);
  await until(() => engine.copies.length === 3, 'three copies');
  assert.equal((await store.getJob(id))?.state, 'RUNNING');

  const [toA, toB, toC] = [engine.to('a.example:5000'), engine.to('b.example'), engine.to('c.example')];
  assert.equal(toA.task.source, '127.0.0.1:5000/team/app:v1');
  assert.equal(toA.task.target, 'a.example:5000/team/app:v1');
  assert.equal(toA.task.force, false);
  assert.equal(toA.task.sourceEndpoint?.insecure, true);
  assert.equal(toA.task.sourceEndpoint.scheme, 'http', 'an http:// endpoint is used as said');
  assert.equal(toA.task.sourceEndpoint.credentials?.password, 'source-pw');
  assert.equal(toA.task.targetEndpoint?.credentials?.username, 'writer');
  assert.equal(toB.task.force, true);
  assert.equal(toB.task.targetEndpoint?.tlsVerify, false);
  assert.equal(toB.task.targetEndpoint.insecure, undefined);

  toA.finish('copied');
  toB.finish('skipped');
  toC.finish(new NetworkError('GET', 'https://c.example/v2/', 'connection refused'));
  await jobs.idle();
  const job = await store.getJob(id);
  assert.equal(job?.state, 'FAILED');
  assert.deepEqual(job.targets, [
    { endpoint: 'http://a.example:5000/v2', outcome: 'finished' },
    { endpoint: 'https://b.example/v2', outcome: 'skipped' },
    { endpoint: 'c.example', outcome: 'failed', error: { code: 'NETWORK', message: 'GET https://c.example/v2/: connection refused' } },
  ]);
  assert.equal(JSON.stringify(job.request).includes('-pw'), false, 'the ended job keeps no credentials');
  assert.deepEqual(
    events.map((e) => e.type).filter((t) => t.startsWith('job-')),
    ['job-queued', 'job-started', 'job-target-finished', 'job-target-finished', 'job-target-finished', 'job-finished'],
  );
});

test('stop puts a running job back in the queue; the next process finishes only what was left', async () => {
  const store = SqliteRunStore.open(':memory:');
  const first = setup(store);
  const running = await first.jobs.submit(request);
  const waiting = await first.jobs.submit({ ...request, targets: [{ endpoint: 'd.example', overwrite: false }] });
  await until(() => first.engine.copies.length === 3, 'the first job copying');
  first.engine.to('a.example:5000').finish('copied');
  await until(() => first.events.some((e) => e.type === 'job-target-finished'), 'one target recorded');
  assert.equal((await store.getJob(waiting))?.state, 'QUEUED', 'one job at a time');

  await first.jobs.stop(0);
  assert.equal((await store.getJob(running))?.state, 'QUEUED');
  assert.equal((await store.getJob(waiting))?.state, 'QUEUED');
  assert.equal(first.engine.copies.length, 3, 'the waiting job never started');
  assert.deepEqual(
    (await store.getJob(running))?.targets,
    [{ endpoint: 'http://a.example:5000/v2', outcome: 'finished' }],
    'interrupted targets are not failures',
  );

  const second = setup(store);
  assert.deepEqual(await second.jobs.recover(), [running, waiting]);
  await until(() => second.engine.copies.length === 2, 'the rest of the first job');
  assert.deepEqual(second.engine.copies.map((c) => c.task.target.split('/')[0]).sort(), ['b.example', 'c.example']);
  for (const copy of second.engine.copies) copy.finish('copied');
  await until(() => second.engine.copies.length === 3, 'the second job');
  second.engine.to('d.example').finish('skipped');
  await second.jobs.idle();
  assert.equal((await store.getJob(running))?.state, 'FINISHED');
  assert.deepEqual(
    (await store.getJob(running))?.targets.map((t) => t.outcome),
    ['finished', 'finished', 'finished'],
  );
  assert.equal((await store.getJob(waiting))?.state, 'FINISHED');
});

test('a job still waiting when the stop begins does not start in the grace period, even when a slot frees up', async () => {
  const store = SqliteRunStore.open(':memory:');
  const { engine, jobs } = setup(store);
  const running = await jobs.submit({ ...request, targets: [{ endpoint: 'a.example:5000', overwrite: false }] });
  const waiting = await jobs.submit({ ...request, targets: [{ endpoint: 'd.example', overwrite: false }] });
  await until(() => engine.copies.length === 1, 'the first job copying');
  const stopped = jobs.stop(60_000);
  engine.to('a.example:5000').finish('copied'); // the running job ends within the grace period
  await stopped;
  assert.equal((await store.getJob(running))?.state, 'FINISHED');
  assert.equal(engine.copies.length, 1, 'the waiting job never started');
  assert.deepEqual([(await store.getJob(waiting))?.state, (await store.getJob(waiting))?.startedAt], ['QUEUED', null]);
});

test('a stored request this version cannot read fails its job instead of blocking the queue', async () => {
  const store = SqliteRunStore.open(':memory:');
  await store.createJob('old', { format: 'from the future' }, 1);
  const { jobs } = setup(store);
  await jobs.recover();
  await jobs.idle();
  const job = await store.getJob('old');
  assert.equal(job?.state, 'FAILED');
  assert.equal(job.targets[0]?.error?.code, 'JOB_INVALID');
});

test('a job running when the process died twice is not resumed a third time: its open targets fail with the reason', async () => {
  const store = SqliteRunStore.open(':memory:');
  for (let crash = 1; crash <= 2; crash++) {
    const { engine, jobs, events } = setup(store);
    if (crash === 1) await jobs.submit(request);
    else assert.equal((await jobs.recover()).length, 1, 'after one crash the job is resumed');
    await until(() => engine.copies.length === (crash === 1 ? 3 : 2), 'the job copying');
    if (crash === 1) {
      engine.to('b.example').finish('copied');
      await until(() => events.some((e) => e.type === 'job-target-finished'), 'one target recorded');
    }
    // The process dies here: nothing is put back, the job stays RUNNING in the store.
  }
  const [job] = await store.recoverableJobs();
  assert.equal(job?.state, 'RUNNING');
  const third = setup(store);
  assert.deepEqual(await third.jobs.recover(), []);
  await third.jobs.idle();
  assert.equal(third.engine.copies.length, 0, 'nothing started');
  const failed = await store.getJob(job.id);
  assert.equal(failed?.state, 'FAILED');
  assert.equal(failed.crashes, 2);
  const reason = { code: 'CRASH_LOOP', message: 'interrupted by a crash 2 times; not resumed' };
  assert.deepEqual(failed.targets, [
    { endpoint: 'https://b.example/v2', outcome: 'finished' },
    { endpoint: 'http://a.example:5000/v2', outcome: 'failed', error: reason },
    { endpoint: 'c.example', outcome: 'failed', error: reason },
  ]);
  assert.equal(JSON.stringify(failed.request).includes('-pw'), false, 'the ended job keeps no credentials');
  assert.deepEqual(
    third.events.map((e) => e.type),
    ['work-not-resumed', 'job-finished'],
  );
});
