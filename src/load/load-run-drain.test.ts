import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copiedResult } from '../copy/copy-test-kit.js';
import type { CopyEngine, CopyResult, CopyRunOptions, CopyTask } from '../copy/index.js';
import { registryConfig, until } from '../scheduler/scheduler-test-kit.js';
import type { LoadEvent } from './events.js';
import { runLoad } from './load-run.js';

/** Copies end when the test says so; records what it was asked to copy and with which signals. */
class HeldEngine {
  readonly copies: Array<{ task: CopyTask; run: CopyRunOptions; finish: () => void }> = [];
  copy(task: CopyTask, run: CopyRunOptions = {}): Promise<CopyResult> {
    return new Promise((resolve) => {
      const result: CopyResult = { ...copiedResult(task), bytes: 5 };
      this.copies.push({ task, run, finish: () => resolve(result) });
    });
  }
}

test('a drain stops runLoad taking images from its queue: the running one finishes, the rest are cancelled, not failed', async () => {
  const engine = new HeldEngine();
  const events: LoadEvent[] = [];
  const drain = new AbortController();
  const registry = {
    ...registryConfig('127.0.0.1:5002'),
    concurrency: 1,
    images: ['127.0.0.1:5001/a:1', '127.0.0.1:5001/b:1', '127.0.0.1:5001/c:1'],
  };
  const loading = runLoad({
    registries: [registry],
    engine: engine as unknown as CopyEngine,
    emit: (e) => events.push(e),
    drain: drain.signal,
  });
  await until(() => engine.copies.length === 1, 'the first image to be copying');
  drain.abort();
  engine.copies[0]?.finish();
  const outcome = await loading;

  assert.equal(engine.copies.length, 1, 'no image started after the drain');
  assert.equal(engine.copies[0]?.run.drain, drain.signal, 'the engine gets the drain too, for images waiting on its own slots');
  assert.deepEqual(
    outcome.registries[0]?.images.map((i) => [i.source, i.status]),
    [
      ['127.0.0.1:5001/a:1', 'copied'],
      ['127.0.0.1:5001/b:1', 'cancelled'],
      ['127.0.0.1:5001/c:1', 'cancelled'],
    ],
  );
  assert.deepEqual([outcome.copied, outcome.failed, outcome.cancelled, outcome.ok], [1, 0, 2, true]);
  const cancelled = events.filter((e) => e.type === 'image-cancelled');
  assert.deepEqual(
    cancelled.map((e) => [e.source, e.started, e.registry]),
    [
      ['127.0.0.1:5001/b:1', false, '127.0.0.1:5002'],
      ['127.0.0.1:5001/c:1', false, '127.0.0.1:5002'],
    ],
  );
  const finished = events.find((e) => e.type === 'run-finished');
  assert.deepEqual(finished?.type === 'run-finished' ? [finished.copied, finished.failed, finished.cancelled] : [], [1, 0, 2]);
});
