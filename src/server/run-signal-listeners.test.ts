import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CopyResult, CopyRunOptions, CopyTask } from '../copy/index.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { ControlledRunner, ManualTickers, registryConfig, until } from '../scheduler/scheduler-test-kit.js';
import { SqliteRunStore } from '../store/sqlite-run-store.js';
import { DistributeJobs } from './distribute/distribute-jobs.js';
import { distributeRequestSchema } from './distribute/request-schema.js';

/**
 * A run's signals are shared by every request it makes (undici adds an abort listener per request
 * in flight): they must allow any number of listeners, or Node prints MaxListenersExceededWarning.
 */

/**
 * Whether 11 abort listeners on `signal` make Node warn. (events.getMaxListeners rejects an
 * AbortSignal on Node 20, so this asks the way the warning itself would come.)
 */
async function warnsOfLeak(signal: AbortSignal): Promise<boolean> {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  const listeners = Array.from({ length: 11 }, () => () => undefined);
  for (const listener of listeners) signal.addEventListener('abort', listener);
  // emitWarning reports on process.nextTick: a setImmediate runs after it, deterministically.
  await new Promise((resolve) => setImmediate(resolve));
  for (const listener of listeners) signal.removeEventListener('abort', listener);
  process.off('warning', onWarning);
  return warnings.some((w) => w.name === 'MaxListenersExceededWarning');
}

test('the check itself: a plain signal does warn', async () => {
  assert.equal(await warnsOfLeak(new AbortController().signal), true);
});

test('a sync run gets signals without a listener limit', async () => {
  const runner = new ControlledRunner();
  const scheduler = new Scheduler({
    store: SqliteRunStore.open(':memory:'),
    runner: runner.runner,
    tickers: new ManualTickers().factory,
    emit: () => undefined,
  });
  await scheduler.start([registryConfig('a.example')], { timezone: 'UTC', runOnStart: true });
  await until(() => runner.runs.length === 1, 'the start run');
  const [run] = runner.runs;
  assert.equal(run && (await warnsOfLeak(run.signal)), false);
  assert.equal(run?.drain && (await warnsOfLeak(run.drain)), false);
  run?.finish();
  await scheduler.stop(0);
});

test('a distribute job copies with signals without a listener limit', async () => {
  const seen: CopyRunOptions[] = [];
  const engine = {
    copy: (task: CopyTask, run: CopyRunOptions = {}): Promise<CopyResult> => {
      seen.push(run);
      return Promise.resolve({
        status: 'skipped',
        source: task.source,
        target: task.target,
        digest: 'sha256:1',
        sourceDigest: 'sha256:1',
        bytes: 0,
        blobsCopied: 0,
        blobsSkipped: 0,
        blobsMounted: 0,
        manifestsWritten: 0,
        durationMs: 1,
      });
    },
  };
  const jobs = new DistributeJobs({ store: SqliteRunStore.open(':memory:'), engine, emit: () => undefined });
  await jobs.submit(
    distributeRequestSchema.parse({
      source: { endpoint: '127.0.0.1:5000', image: 'team/app', ref: 'v1' },
      targets: [{ endpoint: 'a.example' }],
    }),
  );
  await jobs.idle();
  const [run] = seen;
  assert.equal(run?.signal && (await warnsOfLeak(run.signal)), false);
  assert.equal(run?.drain && (await warnsOfLeak(run.drain)), false);
});
