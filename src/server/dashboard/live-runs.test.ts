import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerEvent } from '../sync-service.js';
import { LiveRuns } from './live-runs.js';

const R = 'mirror.example';
const OTHER = 'other.example';
const T0 = 1_000_000;

const started = (registry = R, time = T0): ServerEvent => ({ type: 'sync-run-started', registry, runId: 7, trigger: 'manual', time });
const image = (target: string) => ({ registry: R, source: `src.example/${target}`, target: `${R}/m/${target}` });
const blob = (target: string, digest: string, size: number) => ({ registry: R, target: `${R}/m/${target}`, digest, size });

test('a run goes listing, checking, copying, done; images done of the listed total, in flight, failures', () => {
  const live = new LiveRuns();
  live.apply(started());
  assert.equal(live.view(R, T0)?.phase, 'listing');
  assert.equal(live.view(R, T0)?.listed, null);
  live.apply({ type: 'registry-started', registry: R, time: T0 });
  live.apply({ type: 'registry-listed', registry: R, images: 3, time: T0 + 10 });
  let view = live.view(R, T0 + 15);
  assert.deepEqual(
    [view?.phase, view?.listed, view?.done, view?.inFlight],
    ['checking', 3, 0, 0],
    'listed: the images are checked against the target',
  );
  live.apply({ type: 'image-started', ...image('a:1'), time: T0 + 20 });
  live.apply({ type: 'image-started', ...image('b:1'), time: T0 + 21 });
  view = live.view(R, T0 + 30);
  assert.deepEqual([view?.phase, view?.done, view?.inFlight], ['copying', 0, 2], 'an image is announced when its transfer begins');
  assert.deepEqual(
    view?.images.map((i) => [i.target, i.phase, i.bytesTotal]),
    [
      [`${R}/m/a:1`, 'copying', 0],
      [`${R}/m/b:1`, 'copying', 0],
    ],
  );

  live.apply({ type: 'blob-mounted', ...blob('b:1', 'sha256:bb', 500), from: 'x', time: T0 + 40 });
  live.apply({ type: 'blob-started', ...blob('a:1', 'sha256:aa', 1000), time: T0 + 40 });
  live.apply({ type: 'blob-progress', ...blob('a:1', 'sha256:aa', 1000), transferred: 400, time: T0 + 50 });
  view = live.view(R, T0 + 60);
  assert.equal(view?.bytes, 400, 'streamed bytes count; a mounted blob moved none');
  assert.deepEqual(
    view.images.map((i) => [i.phase, i.bytesDone, i.bytesTotal]),
    [
      ['copying', 400, 1000],
      ['copying', 500, 500],
    ],
  );

  live.apply({ type: 'blob-done', ...blob('a:1', 'sha256:aa', 1000), durationMs: 5, time: T0 + 70 });
  live.apply({
    type: 'image-done',
    ...image('a:1'),
    digest: 'sha256:d',
    sourceDigest: 'sha256:d',
    bytes: 1000,
    blobsCopied: 1,
    blobsSkipped: 0,
    blobsMounted: 0,
    durationMs: 50,
    time: T0 + 80,
  });
  live.apply({ type: 'image-skipped', ...image('b:1'), digest: 'sha256:e', reason: 'up-to-date', time: T0 + 81 });
  view = live.view(R, T0 + 90);
  assert.deepEqual(
    [view?.phase, view?.done, view?.copied, view?.upToDate, view?.inFlight, view?.bytes],
    ['checking', 2, 1, 1, 0, 1000],
    'back to checking once no image is copying',
  );

  live.apply({ type: 'retry', registry: R, method: 'GET', url: 'http://x/v2/', attempt: 1, delayMs: 10, reason: '503', time: T0 + 95 });
  live.apply({ type: 'image-failed', ...image('c:1'), error: { code: 'MANIFEST_UNKNOWN', message: 'no such manifest' }, time: T0 + 100 });
  view = live.view(R, T0 + 110);
  assert.deepEqual([view?.done, view?.failed, view?.retries, view?.inFlight], [3, 1, 1, 0]);
  assert.deepEqual(view?.failures, [
    { source: 'src.example/c:1', target: `${R}/m/c:1`, code: 'MANIFEST_UNKNOWN', message: 'no such manifest' },
  ]);
  assert.equal(live.active, true);

  live.apply({
    type: 'sync-run-finished',
    registry: R,
    runId: 7,
    trigger: 'manual',
    result: 'failed',
    copied: 1,
    upToDate: 1,
    failed: 1,
    cancelled: 0,
    bytes: 1000,
    durationMs: 2000,
    error: undefined,
    time: T0 + 2000,
  });
  view = live.view(R, T0 + 5000);
  assert.deepEqual(
    [view?.phase, view?.result, view?.done, view?.endedAt, view?.bytesPerSecond],
    ['done', 'failed', 3, T0 + 2000, 500],
    'the average rate once ended',
  );
  assert.equal(live.active, false);
  live.apply({ type: 'image-started', ...image('late:1'), time: T0 + 2001 });
  assert.equal(live.view(R, T0 + 5000)?.inFlight, 0, 'events after the end change nothing');

  live.apply(started(R, T0 + 9000));
  assert.deepEqual([live.view(R, T0 + 9000)?.phase, live.view(R, T0 + 9000)?.done], ['listing', 0], 'the next run starts afresh');
});

test('the rate is the bytes streamed over the last seconds; a restarted blob counts what it sends again', () => {
  const live = new LiveRuns();
  live.apply(started());
  live.apply({ type: 'image-started', ...image('a:1'), time: T0 });
  live.apply({ type: 'blob-started', ...blob('a:1', 'sha256:aa', 100_000), time: T0 });
  for (let second = 1; second <= 10; second++) {
    live.apply({ type: 'blob-progress', ...blob('a:1', 'sha256:aa', 100_000), transferred: second * 5000, time: T0 + second * 1000 });
  }
  assert.equal(live.view(R, T0 + 10_000)?.bytesPerSecond, 5000);
  // The stream broke and starts over: 20 KB sent again within a second.
  live.apply({ type: 'blob-started', ...blob('a:1', 'sha256:aa', 100_000), time: T0 + 10_100 });
  live.apply({ type: 'blob-progress', ...blob('a:1', 'sha256:aa', 100_000), transferred: 20_000, time: T0 + 11_000 });
  const view = live.view(R, T0 + 11_000);
  assert.equal(view?.bytes, 20_000, 'bytes shown are those at the target side now');
  assert.equal(view.bytesPerSecond, (5 * 5000 - 5000 + 20_000) / 5, 'moved over the last 5 s (from the sample at 6 s)');
  assert.equal(live.view(R, T0 + 60_000)?.bytesPerSecond, 0, 'nothing moved for a minute');
});

test('runs of registries are kept apart; events of a registry with no run, and a removed registry, are dropped', () => {
  const live = new LiveRuns();
  live.apply({ type: 'image-started', ...image('a:1'), time: T0 });
  assert.equal(live.view(R, T0), undefined);
  live.apply(started(R));
  live.apply(started(OTHER));
  live.apply({ type: 'registry-listed', registry: OTHER, images: 5, time: T0 });
  live.apply({ type: 'image-started', ...image('a:1'), time: T0 });
  assert.deepEqual(
    live.views(T0).map((v) => [v.registry, v.listed, v.inFlight]),
    [
      [R, null, 1],
      [OTHER, 5, 0],
    ],
  );
  live.apply({
    type: 'registry-script-failed',
    registry: OTHER,
    message: 'syncer script "x" exited with code 3',
    stderrTail: ['boom'],
    time: T0,
  });
  assert.equal(live.view(OTHER, T0)?.error, 'syncer script "x" exited with code 3: boom');
  live.apply({ type: 'sync-removed', registry: OTHER, time: T0 });
  assert.deepEqual(
    live.views(T0).map((v) => v.registry),
    [R],
  );
});
