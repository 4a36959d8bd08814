import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CopyResult, CopyRunOptions, CopyTask } from '../../copy/index.js';
import { CancelledError } from '../../errors/index.js';
import { until } from '../../scheduler/scheduler-test-kit.js';
import { SqliteRunStore } from '../../store/sqlite-run-store.js';
import type { ServiceEvent } from '../service-events.js';
import { AddressPolicy } from './address-policy.js';
import { DistributeJobs } from './distribute-jobs.js';
import { distributeRequestSchema } from './request-schema.js';

/** Names resolve to a documentation address without DNS (network only to loopback in tests). */
const offline = new AddressPolicy(['loopback'], async () => ['203.0.113.10']);
const addressPolicy = () => offline;

/**
 * Like the real engine with one image slot: a copy waits for the slot, and one whose turn comes
 * after `drain` aborted does not start (CancelledError). Started copies end when the test says so.
 */
class OneSlotEngine {
  readonly started: Array<{ task: CopyTask; finish: () => void }> = [];
  #slot: Promise<unknown> = Promise.resolve();

  copy(task: CopyTask, run: CopyRunOptions = {}): Promise<CopyResult> {
    const turn = this.#slot.then(() => {
      if (run.drain?.aborted) throw new CancelledError(`${task.target}: not started`);
      return new Promise<CopyResult>((resolve) => {
        const result: CopyResult = {
          status: 'copied',
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
        };
        this.started.push({ task, finish: () => resolve(result) });
      });
    });
    this.#slot = turn.catch(() => undefined);
    return turn;
  }
}

const request = distributeRequestSchema.parse({
  source: { endpoint: 'http://127.0.0.1:5000/v2', image: 'team/app', ref: 'v1' },
  targets: [{ endpoint: 'a.example' }, { endpoint: 'b.example' }],
});

test('stop: a target copy still waiting for a slot does not start; the job goes back to the queue, not FINISHED', async () => {
  const store = SqliteRunStore.open(':memory:');
  const engine = new OneSlotEngine();
  const events: ServiceEvent[] = [];
  const jobs = new DistributeJobs({ store, engine, emit: (e) => events.push(e), addressPolicy });
  const id = await jobs.submit(request);
  await until(() => engine.started.length === 1, 'the first target copying');

  let stopped = false;
  const stopping = jobs.stop(60_000).then(() => (stopped = true));
  engine.started[0]?.finish(); // within the grace period
  await until(() => stopped || engine.started.length === 2, 'the stop to end (or the second target to start)');
  engine.started[1]?.finish();
  await stopping;

  // Targets start in parallel (each after its address check): whichever took the slot first.
  assert.equal(engine.started.length, 1, 'the second target never started');
  const first = engine.started[0]?.task.target.split('/')[0];
  const job = await store.getJob(id);
  assert.equal(job?.state, 'QUEUED', 'a job with a target left undone runs again on the next start');
  assert.deepEqual(job.targets, [{ endpoint: first, outcome: 'finished' }], 'the untouched target is not recorded as failed');
  assert.deepEqual(
    events.map((e) => e.type).filter((t) => t.startsWith('job-')),
    ['job-queued', 'job-started', 'job-target-finished', 'job-requeued'],
  );

  const again = new DistributeJobs({ store, engine: new OneSlotEngine(), emit: () => undefined, addressPolicy });
  assert.deepEqual(await again.recover(), [id]);
  await store.close();
});
