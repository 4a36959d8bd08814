import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abandonWithoutRedis, readyUnlessStopped, type AbandonableQueue } from './stop-without-redis.js';

/** A queue whose readiness and loss of Redis the test decides. */
function queueOf(redis: { ready: Promise<void>; lost: Promise<void> }) {
  const abandoned: number[] = [];
  const queue: AbandonableQueue = {
    ready: () => redis.ready,
    unreachable: () => redis.lost,
    abandon: () => {
      abandoned.push(2);
      return 2;
    },
    close: async () => undefined,
  };
  return { queue, abandoned };
}

const never = new Promise<void>(() => undefined);

test('a stop whose work ends with Redis reachable, then ends: the queue is not abandoned', async () => {
  const { queue, abandoned } = queueOf({ ready: Promise.resolve(), lost: never });
  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const gone = abandonWithoutRedis(queue, { work: Promise.resolve(), stopped }, { graceMs: 60_000, hurry: undefined }, () => {
    throw new Error('not abandoned');
  });
  stop();
  assert.equal(await gone, false);
  assert.deepEqual(abandoned, []);
});

test('Redis unreachable once the work ended (or failed): abandoned at once, its job count heard', async () => {
  for (const work of [Promise.resolve(), Promise.reject(new Error('a run failed to stop'))]) {
    const { queue, abandoned } = queueOf({ ready: never, lost: Promise.resolve() });
    const heard: number[] = [];
    const gone = abandonWithoutRedis(queue, { work, stopped: never }, { graceMs: 60_000, hurry: undefined }, (jobs) => heard.push(jobs));
    assert.equal(await gone, true);
    assert.deepEqual([abandoned, heard], [[2], [2]]);
  }
});

test('work still going: Redis lost waits for the grace, or for hurry', async () => {
  const { queue, abandoned } = queueOf({ ready: never, lost: Promise.resolve() });
  const hurry = new AbortController();
  const gone = abandonWithoutRedis(queue, { work: never, stopped: never }, { graceMs: 60_000, hurry: hurry.signal }, () => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(abandoned, [], 'within the grace: the copies may still end');
  hurry.abort();
  assert.equal(await gone, true);
  assert.deepEqual(abandoned, [2]);
});

test('readyUnlessStopped: resolves when Redis is ready, or when the stop comes while it is not (a failure of the wait after the stop is ignored)', async () => {
  await readyUnlessStopped(queueOf({ ready: Promise.resolve(), lost: never }).queue, new AbortController().signal);
  const stopping = new AbortController();
  let fail = (): void => undefined;
  const ready = new Promise<void>((_, reject) => (fail = () => reject(new Error('connection closed'))));
  const waiting = readyUnlessStopped(queueOf({ ready, lost: never }).queue, stopping.signal);
  stopping.abort();
  fail();
  await waiting;
  await assert.rejects(readyUnlessStopped(queueOf({ ready: Promise.reject(new Error('boom')), lost: never }).queue, undefined), /boom/);
});
