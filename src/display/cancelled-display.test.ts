import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadEvent } from '../load/events.js';
import { APP_SOURCE, APP_TARGET, DB_SOURCE, DB_TARGET, REGISTRY_A } from './fixtures.js';
import { LiveModel } from './live-model.js';
import { PlainReporter } from './plain-reporter.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const r = REGISTRY_A;

/** A run stopped by a signal: one image aborted midway, one never started. Neither is a failure. */
const stoppedRun: LoadEvent[] = [
  { type: 'run-started', registries: [r], dryRun: false, time: T0 },
  { type: 'registry-started', registry: r, time: T0 },
  { type: 'registry-listed', registry: r, images: 2, time: T0 + 10 },
  { type: 'image-started', registry: r, source: APP_SOURCE, target: APP_TARGET, time: T0 + 20 },
  { type: 'image-cancelled', registry: r, source: APP_SOURCE, target: APP_TARGET, started: true, time: T0 + 100 },
  { type: 'image-cancelled', registry: r, source: DB_SOURCE, target: DB_TARGET, started: false, time: T0 + 100 },
  {
    type: 'registry-finished',
    registry: r,
    copied: 0,
    upToDate: 0,
    failed: 0,
    cancelled: 2,
    bytes: 0,
    durationMs: 110,
    ok: true,
    time: T0 + 110,
  },
  { type: 'run-finished', copied: 0, upToDate: 0, failed: 0, cancelled: 2, bytes: 0, durationMs: 120, ok: true, time: T0 + 120 },
];

describe('cancelled images', () => {
  it('plain log: says which were aborted and which never started; the summary counts them apart from failures', () => {
    const chunks: string[] = [];
    const reporter = new PlainReporter({ write: (s) => (chunks.push(s), true) }, { now: () => T0 });
    for (const e of stoppedRun) reporter.handle(e);
    const out = chunks.join('').split('\n').slice(0, -1);
    assert.ok(
      out.includes(
        `2026-11-22T10:00:00.100Z [${r}] cancelled ${APP_SOURCE} -> ${APP_TARGET}: the run is stopping, target tag left as it was`,
      ),
      out.join('\n'),
    );
    assert.ok(out.includes(`2026-11-22T10:00:00.100Z [${r}] not started ${DB_SOURCE} -> ${DB_TARGET}: the run is stopping`));
    assert.ok(
      out.includes(`2026-11-22T10:00:00.110Z [${r}] stopped before the end: 0 copied, 0 up to date, 0 failed, 2 cancelled, 0 B in 110ms`),
      out.join('\n'),
    );
    assert.deepEqual(out.slice(-4), [
      '2026-11-22T10:00:00.120Z run stopped before the end',
      'images: 0 copied, 0 up to date, 0 failed, 2 cancelled (stopped)',
      'bytes moved: 0 B',
      'time: 120ms',
    ]);
  });

  it('a stop request is said on the display, first and second signal, and is no image of the run', () => {
    const chunks: string[] = [];
    const reporter = new PlainReporter({ write: (s) => (chunks.push(s), true) }, { now: () => T0 });
    const [started, ...rest] = stoppedRun;
    if (started) reporter.handle(started);
    reporter.handle({ type: 'run-stopping', signal: 'SIGINT', abortNow: false, time: T0 + 50 });
    reporter.handle({ type: 'run-stopping', signal: 'SIGINT', abortNow: true, time: T0 + 60 });
    for (const e of rest) reporter.handle(e);
    const out = chunks.join('').split('\n');
    assert.ok(
      out.includes(
        '2026-11-22T10:00:00.050Z SIGINT received: no further image starts; letting the running copies finish (SIGINT again aborts them)',
      ),
      out.join('\n'),
    );
    assert.ok(out.includes('2026-11-22T10:00:00.060Z SIGINT again: aborting the copies under way (their target tags stay as they were)'));
    assert.ok(out.includes('images: 0 copied, 0 up to date, 0 failed, 2 cancelled (stopped)'));
  });

  it('live model: a cancelled image leaves the active list and counts as done, not failed', () => {
    const model = new LiveModel();
    for (const e of stoppedRun.slice(0, 5)) model.apply(e);
    const midway = model.view(T0 + 100);
    assert.deepEqual(midway.images, []);
    assert.deepEqual([midway.registries[0]?.cancelled, midway.registries[0]?.failed], [1, 0]);
    for (const e of stoppedRun.slice(5)) model.apply(e);
    const end = model.view(T0 + 120);
    assert.deepEqual([end.registries[0]?.cancelled, end.registries[0]?.failed, end.totals.done], [2, 0, 2]);
  });
});
