import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadEvent } from '../load/events.js';
import { twoRegistryRun } from './fixtures.js';
import { JsonReporter } from './json-reporter.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

function json() {
  const chunks: string[] = [];
  const reporter = new JsonReporter({ write: (s) => (chunks.push(s), true) });
  const objects = () =>
    chunks
      .join('')
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { reporter, objects, chunks };
}

const progress = (transferred: number, time: number, digest = 'sha256:aa'): LoadEvent => ({
  type: 'blob-progress',
  registry: 'r',
  target: 'r/a',
  digest,
  size: 1000,
  transferred,
  time,
});

describe('JsonReporter', () => {
  it('writes each event as one parseable line with an ISO time', () => {
    const { reporter, objects, chunks } = json();
    const run = twoRegistryRun(T0);
    for (const e of run) reporter.handle(e);
    assert.ok(
      chunks.every((c) => c.endsWith('\n') && c.indexOf('\n') === c.length - 1),
      'one line per write',
    );
    const parsed = objects();
    assert.equal(parsed.length, run.length, 'fixture progress is sparse enough to pass the throttle');
    assert.deepEqual(parsed[0], {
      type: 'run-started',
      registries: ['127.0.0.1:5002', '127.0.0.1:5003'],
      dryRun: false,
      time: '2026-11-22T10:00:00.000Z',
    });
    assert.deepEqual(
      parsed.map((o) => o.type),
      run.map((e) => e.type),
    );
  });

  it('throttles blob-progress to one per blob per second, always keeping the final one', () => {
    const { reporter, objects } = json();
    for (const e of [
      progress(100, T0),
      progress(200, T0 + 300),
      progress(300, T0 + 999),
      progress(400, T0 + 1000),
      progress(500, T0 + 1500),
      progress(1000, T0 + 1600),
    ])
      reporter.handle(e);
    assert.deepEqual(
      objects().map((o) => o.transferred),
      [100, 400, 1000],
    );
  });

  it('throttles each blob on its own', () => {
    const { reporter, objects } = json();
    for (const e of [
      progress(100, T0, 'sha256:aa'),
      progress(100, T0 + 10, 'sha256:bb'),
      progress(200, T0 + 20, 'sha256:aa'),
      progress(200, T0 + 30, 'sha256:bb'),
    ])
      reporter.handle(e);
    assert.deepEqual(
      objects().map((o) => [o.digest, o.transferred]),
      [
        ['sha256:aa', 100],
        ['sha256:bb', 100],
      ],
    );
  });

  it('passes blob-progress again once a restarted blob has finished before', () => {
    const { reporter, objects } = json();
    reporter.handle(progress(100, T0));
    reporter.handle({ type: 'blob-done', registry: 'r', target: 'r/a', digest: 'sha256:aa', size: 1000, durationMs: 5, time: T0 + 10 });
    reporter.handle(progress(100, T0 + 20));
    assert.deepEqual(
      objects().map((o) => o.type),
      ['blob-progress', 'blob-done', 'blob-progress'],
    );
  });
});
