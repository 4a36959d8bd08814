import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REGISTRY, useHeldQueueRig } from './held-queue-rig.js';
import { within } from '../chaos/chaos-kit.js';
import { until } from './sync-kit.js';

/*
 * A stop of one caller's copy on the `sync` side (CopyQueue): a job it stopped while its add was
 * on the way to Redis is withdrawn once Redis has it, and a job another caller of the same server
 * follows too (the same copy asked twice) goes on for that caller. Real redis-server.
 */

const rigFor = useHeldQueueRig('queue-withdraw');
const target = (image: string): string => `${REGISTRY}/${image}`;

test('stopped while its add is on the way: the job is withdrawn once Redis has it, and no worker ever runs it', async (t) => {
  const rig = rigFor(t, 'withdraw-adding');
  await rig.queue.ready();
  const stop = new AbortController();
  const copy = rig.copy('a:1', stop.signal);
  // The add has left (copy() sends it at once) and has not come back: the stop cannot remove it yet.
  stop.abort();
  await assert.rejects(within(20_000, 'the stopped copy to end', copy), /cancel/i);
  assert.deepEqual(await rig.jobs.getJobCounts('waiting', 'active', 'delayed'), { waiting: 0, active: 0, delayed: 0 });
  // A worker started now finds nothing: a later copy is the first it runs.
  const { engine } = await rig.startWorker();
  const later = rig.copy('b:1');
  await until(() => engine.started.length === 1 || undefined, 'the later copy');
  engine.end(target('b:1'));
  assert.equal((await later).status, 'copied');
  assert.deepEqual(engine.started, [target('b:1')]);
});

test('the same copy asked twice on one server: a stop of one caller leaves the copy running for the other', async (t) => {
  const rig = rigFor(t, 'withdraw-shared');
  await rig.queue.ready();
  const { engine, log } = await rig.startWorker();
  const kept = rig.copy('a:1');
  await until(() => engine.started.length === 1 || undefined, 'the copy');
  const stop = new AbortController();
  const stopped = rig.copy('a:1', stop.signal);
  stop.abort();
  await assert.rejects(within(20_000, 'the stopped copy to end', stopped), /cancel/i);
  // The first caller's copy was not stopped: it ends when the engine says, copied.
  engine.end(target('a:1'));
  assert.equal((await kept).status, 'copied');
  assert.deepEqual(engine.started, [target('a:1')], 'one copy for both callers');
  assert.deepEqual(
    log.flatMap((e) => (e.type === 'copy-job-ended' ? [e.status] : [])),
    ['copied'],
  );
});

test('the same copy asked twice, both still queued: a stop of one caller leaves the job queued for the other', async (t) => {
  const rig = rigFor(t, 'withdraw-shared-queued');
  await rig.queue.ready();
  const kept = rig.copy('a:1');
  const stop = new AbortController();
  const stopped = rig.copy('a:1', stop.signal);
  await until(async () => (await rig.jobs.getWaitingCount()) === 1 || undefined, 'the job queued');
  stop.abort();
  await assert.rejects(within(20_000, 'the stopped copy to end', stopped), /cancel/i);
  assert.equal(await rig.jobs.getWaitingCount(), 1, 'still queued for the other caller');
  const { engine } = await rig.startWorker();
  await until(() => engine.started.length === 1 || undefined, 'the copy');
  engine.end(target('a:1'));
  assert.equal((await kept).status, 'copied');
});

test('the same copy asked twice, one caller drained (a pause): its share ends with the copy, which goes on for both', async (t) => {
  const rig = rigFor(t, 'withdraw-shared-drain');
  await rig.queue.ready();
  const kept = rig.copy('a:1');
  const drain = new AbortController();
  const task = { source: '127.0.0.1:2/a:1', target: target('a:1') };
  const drained = rig.queue.copy(REGISTRY, task, { drain: drain.signal });
  await until(async () => (await rig.jobs.getWaitingCount()) === 1 || undefined, 'the job queued');
  drain.abort();
  const { engine } = await rig.startWorker();
  await until(() => engine.started.length === 1 || undefined, 'the copy');
  engine.end(target('a:1'));
  assert.deepEqual([(await kept).status, (await within(20_000, 'the drained copy to end', drained)).value.status], ['copied', 'copied']);
  assert.deepEqual(engine.started, [target('a:1')]);
});
