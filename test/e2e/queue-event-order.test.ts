import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Job } from 'bullmq';
import { loadConfig } from '../../src/config/index.js';
import { CopyEngine, type CopyEvent, type CopyResult, type CopyTask } from '../../src/copy/index.js';
import { CopyQueue, CopyWorker, type QueueEvent } from '../../src/queue/index.js';
import { makeTempDir } from '../harness/procs.js';
import { pushImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useQueueRig } from './queue-kit.js';
import { writeConfig } from './sync-kit.js';

/*
 * A queued copy's events at `sync`: the worker sends them numbered as the job's progress, and those
 * not yet known stored when the copy ended in its result (the job does not wait for its last progress
 * round trip). `sync` applies each once, in order, before the result. Real redis-server, registries,
 * engine, worker and queue (the worker in this process, so the test sees what its engine emitted).
 */

const rig = useQueueRig('queue-event-order', async ({ source }) => {
  await pushImage(ociImage, source, 'library/app:v1');
});

/** A worker of one slot on the rig's Redis whose engine's events are recorded as it emits them. */
async function startWorker(name: string, emitted: CopyEvent[], log: QueueEvent[]): Promise<{ worker: CopyWorker; engine: CopyEngine }> {
  const { target, redis } = rig;
  const file = await writeConfig(await makeTempDir(`queue-event-order-${name}`), {
    registries: [{ hostname: target.host, images: [`${rig.source.host}/library/app:v1`] }],
  });
  const { config } = await loadConfig(file);
  const engine = new CopyEngine();
  const worker = new CopyWorker({
    settings: { url: redis.url, name, stalledSeconds: 30 },
    config: () => config,
    engine: {
      copy: (task, options) =>
        engine.copy(task, {
          ...options,
          onEvent: (event) => {
            emitted.push(event);
            options?.onEvent?.(event);
          },
        }),
    },
    concurrency: 1,
    emit: (event) => log.push(event),
    // Every event its own update when the one before is stored: the test follows many updates and the result.
    progressGapMs: 0,
  });
  await worker.start();
  return { worker, engine };
}

/** What an event says, without its clock readings (two copies of one image differ in those only). */
function shape(event: CopyEvent): string {
  const { time: _time, ...rest } = event as CopyEvent & { durationMs?: number; transferred?: number };
  const fields = Object.entries(rest).filter(([key]) => !['durationMs', 'transferred', 'target', 'image'].includes(key));
  return JSON.stringify(fields);
}

/** A result without its clock readings and its target. */
function figures(result: CopyResult): string {
  return JSON.stringify(Object.entries(result).filter(([key]) => !['target', 'durationMs', 'time', 'started', 'ended'].includes(key)));
}

async function queuedCopy(name: string, task: CopyTask): Promise<{ emitted: CopyEvent[]; received: CopyEvent[]; result: CopyResult }> {
  const { redis, target } = rig;
  const emitted: CopyEvent[] = [];
  const log: QueueEvent[] = [];
  const { worker, engine } = await startWorker(name, emitted, log);
  const queue = new CopyQueue({ url: redis.url, name, stalledSeconds: 30 }, () => undefined);
  try {
    await queue.ready();
    const received: CopyEvent[] = [];
    const result = await queue.copy(target.host, task, { onEvent: (event) => received.push(event) });
    return { emitted, received, result };
  } finally {
    await queue.close();
    await worker.stop(0);
    await engine.close();
  }
}

test('a queued copy: sync receives every event its worker emitted, once and in order; events and result as an in-process copy', async () => {
  const { source, target } = rig;
  const inProcess = new CopyEngine();
  const local: CopyEvent[] = [];
  const localResult = await inProcess
    .copy({ source: `${source.host}/library/app:v1`, target: `${target.host}/local/app:v1` }, { onEvent: (e) => local.push(e) })
    .finally(() => inProcess.close());

  const { emitted, received, result } = await queuedCopy('order-plain', {
    source: `${source.host}/library/app:v1`,
    target: `${target.host}/queued/app:v1`,
  });
  assert.ok(emitted.length > 3, `the copy emitted its events: ${emitted.length}`);
  assert.deepEqual(received, emitted, 'every event, once, in the order the worker emitted them');
  assert.equal(result.status, 'copied');
  assert.deepEqual(received.map(shape).sort(), local.map(shape).sort(), 'the same events as the in-process copy');
  assert.equal(figures(result), figures(localResult));
});

test("a progress update lost on its way to Redis: the result brings its events, and sync applies them before the later updates' ones, each once", async (t) => {
  const { source, target } = rig;
  // The job's first progress update fails without reaching Redis (as when a connection breaks); the next ones are stored.
  // Called with the job as `this` below (apply), as BullMQ calls it.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = Job.prototype.updateProgress;
  let calls = 0;
  Job.prototype.updateProgress = function (this: Job, ...args: Parameters<Job['updateProgress']>) {
    calls++;
    if (calls === 1) return Promise.reject(new Error('connection lost'));
    return original.apply(this, args);
  };
  t.after(() => {
    Job.prototype.updateProgress = original;
  });
  const { emitted, received, result } = await queuedCopy('order-lost', {
    source: `${source.host}/library/app:v1`,
    target: `${target.host}/lost/app:v1`,
  });
  assert.ok(calls > 1, `progress went in more than one update: ${calls}`);
  assert.equal(result.status, 'copied');
  assert.deepEqual(received, emitted, 'every event, once, in the order the worker emitted them');
});
