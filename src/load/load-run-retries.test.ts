import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CopyResult, CopyTask } from '../copy/index.js';
import { HttpError } from '../errors/index.js';
import { registryConfig } from '../scheduler/scheduler-test-kit.js';
import { FakeLister } from '../select/lister-test-kit.js';
import type { LoadEvent } from './events.js';
import { runLoad } from './load-run.js';

const SRC = 'src.example:5000';

/** Fails each source's first `failures[source]` copies, then copies it; records the order of every try. */
class FlakyEngine {
  readonly tries: string[] = [];
  constructor(private readonly failures: Record<string, number>) {}
  copy(task: CopyTask): Promise<CopyResult> {
    this.tries.push(task.source);
    const left = this.failures[task.source] ?? 0;
    if (left > 0) {
      this.failures[task.source] = left - 1;
      return Promise.reject(new HttpError({ status: 503, method: 'GET', url: `https://${SRC}/v2/`, errors: [] }));
    }
    return Promise.resolve({
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
    } as CopyResult);
  }
  plan(): Promise<never> {
    return Promise.reject(new Error('not planned here'));
  }
}

async function load(retries: number, failures: Record<string, number>) {
  const engine = new FlakyEngine(failures);
  const events: LoadEvent[] = [];
  const outcome = await runLoad({
    registries: [{ ...registryConfig('mirror.example:5000'), repository: '', images: [`${SRC}/a:1`, `${SRC}/b:1`, `${SRC}/c:1`], retries }],
    engine,
    lister: () => new FakeLister({}),
    emit: (e) => events.push(e),
  });
  return { outcome, events, tries: engine.tries };
}

test('retries: failed images are tried again only after every image was tried once, up to N passes', async () => {
  const { outcome, events, tries } = await load(2, { [`${SRC}/a:1`]: 1, [`${SRC}/c:1`]: 5 });
  assert.deepEqual(tries.slice(0, 3).sort(), [`${SRC}/a:1`, `${SRC}/b:1`, `${SRC}/c:1`], 'every image once first');
  assert.deepEqual(tries.slice(3), [`${SRC}/a:1`, `${SRC}/c:1`, `${SRC}/c:1`], 'then the failed ones, pass after pass');
  const passes = events.filter((e) => e.type === 'image-retry-pass');
  assert.deepEqual(
    passes.map((e) => [e.pass, e.passes, e.images.map((i) => i.source)]),
    [
      [1, 2, [`${SRC}/a:1`, `${SRC}/c:1`]],
      [2, 2, [`${SRC}/c:1`]],
    ],
  );
  assert.equal(outcome.copied, 2);
  assert.equal(outcome.failed, 1, 'c failed three times: counted once');
  assert.equal(outcome.ok, false);
  const images = outcome.registries[0]?.images ?? [];
  assert.deepEqual(
    images.map((i) => [i.source, i.status, i.retried]),
    [
      [`${SRC}/a:1`, 'copied', 1],
      [`${SRC}/b:1`, 'copied', undefined],
      [`${SRC}/c:1`, 'failed', 2],
    ],
  );
  const summary = events.find((e) => e.type === 'warning');
  assert.equal(
    summary?.type === 'warning' && summary.message,
    'mirror.example:5000: 2 images needed a retry (retries: 2); 1 then succeeded: mirror.example:5000/a:1; 1 still failed: mirror.example:5000/c:1',
  );
  const finished = events.find((e) => e.type === 'run-finished');
  assert.equal(finished?.type === 'run-finished' && finished.failed, 1);
});

test('retries: 0 (the default in config.yaml) tries each image once', async () => {
  const { outcome, tries, events } = await load(0, { [`${SRC}/a:1`]: 1 });
  assert.equal(tries.length, 3);
  assert.equal(outcome.failed, 1);
  assert.equal(
    events.some((e) => e.type === 'image-retry-pass'),
    false,
  );
});
