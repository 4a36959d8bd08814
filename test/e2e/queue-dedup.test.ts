import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueEvents } from 'bullmq';
import { makeTempDir } from '../harness/procs.js';
import { pushImage } from '../harness/index.js';
import { CopyQueue } from '../../src/queue/index.js';
import { COPY_QUEUE } from '../../src/queue/queue-names.js';
import { ociImage } from './fixtures.js';
import { jobsEnded, jobsTaken, startWorker, useQueueRig } from './queue-kit.js';
import { digestAt, writeConfig } from './sync-kit.js';

/*
 * De-duplication while queued: two runs (here two `sync` servers' queues) that ask for the same copy
 * before any worker took it add one job; both follow it to its end. No worker runs while they
 * enqueue, so what the queue holds is not a race; a worker started afterwards runs the one job.
 */

const rig = useQueueRig('queue-dedup', async ({ source }) => {
  await pushImage(ociImage, source, 'library/app:v1');
});

test('the same copy enqueued twice before any worker starts is one job; both callers get its result', async (t) => {
  const { redis, source, target, dir, processes } = rig;
  const settings = { url: redis.url, name: 'dedup', stalledSeconds: 30 };
  // From the stream's start ('0-0'), not from its end ('$', BullMQ's default): ready means connected,
  // not yet reading, so on a loaded machine both adds could land before the first read and be missed.
  const watcher = new QueueEvents(COPY_QUEUE, {
    connection: { host: '127.0.0.1', port: redis.port },
    prefix: settings.name,
    lastEventId: '0-0',
  });
  const first = new CopyQueue(settings, () => undefined);
  const second = new CopyQueue(settings, () => undefined);
  t.after(() => Promise.all([watcher.close(), first.close(), second.close()]));
  await Promise.all([watcher.waitUntilReady(), first.ready(), second.ready()]);
  // Each add ends in one event: `waiting` (a job was added) or `deduplicated` (folded into one).
  const added: string[] = [];
  const folded: Array<{ jobId: string; deduplicatedJobId: string }> = [];
  const bothAdded = new Promise<void>((resolve) => {
    const check = (): void => {
      if (added.length + folded.length === 2) resolve();
    };
    watcher.on('waiting', ({ jobId }) => {
      added.push(jobId);
      check();
    });
    watcher.on('deduplicated', (event) => {
      folded.push(event);
      check();
    });
  });

  const registry = { hostname: target.host, images: [`${source.host}/library/app:v1`] };
  const task = { source: `${source.host}/library/app:v1`, target: `${target.host}/library/app:v1` };
  const copies = [first.copy(registry.hostname, task), second.copy(registry.hostname, task)];
  await bothAdded;
  assert.equal(added.length, 1, 'one job was added');
  const [jobId] = added;
  // BullMQ's event names the job kept (`jobId`) and the id the second add would have had.
  assert.deepEqual(
    folded.map((f) => f.jobId),
    [jobId],
    'the second add is folded into the first job',
  );

  const worker = await startWorker(
    await writeConfig(await makeTempDir('queue-dedup-worker'), { registries: [registry], queue: { name: settings.name } }),
    {
      cwd: dir,
      queue: redis.url,
    },
  );
  processes.push(worker);
  const results = await Promise.all(copies);
  assert.deepEqual(
    results.map((r) => r.status),
    ['copied', 'copied'],
    'both callers hear the one copy',
  );
  assert.deepEqual(
    jobsTaken(worker).map((l) => l.job),
    [jobId],
    'one job was run',
  );
  // The result reaches the callers before the worker writes its copy-job-ended line (copy-job-runner.ts).
  await worker.waitForLog((l) => l.event === 'copy-job-ended' && l.status === 'copied', "the worker's line of the copy's end", 0, 30_000);
  assert.equal(jobsEnded(worker, 'copied').length, 1);
  assert.equal(await digestAt(target, 'library/app:v1'), await digestAt(source, 'library/app:v1'));
});
