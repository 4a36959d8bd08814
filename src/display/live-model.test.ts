import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadEvent } from '../load/events.js';
import { APP_TARGET, BAD_TARGET, DB_TARGET, MIB, REGISTRY_A, REGISTRY_B, digest, twoRegistryRun } from './fixtures.js';
import { LiveModel } from './live-model.js';

const T0 = 1_000_000;
const fed = (events: LoadEvent[]): LiveModel => {
  const model = new LiveModel();
  for (const e of events) model.apply(e);
  return model;
};
/** The fixture run up to (and including) the first event matching `stop`. */
const until = (stop: (e: LoadEvent) => boolean): LoadEvent[] => {
  const all = twoRegistryRun(T0);
  return all.slice(0, all.findIndex(stop) + 1);
};
/** The byte counts of the first image in the model's view at `now`. */
const bytesOfFirstImage = (model: LiveModel, now: number): { total?: number; done?: number; streamed?: number } => {
  const [image] = model.view(now).images;
  return { total: image?.totalBytes, done: image?.doneBytes, streamed: image?.streamedBytes };
};
const r = 'reg';
/** `registry-finished` of a registry that did not end well, with `failed` images. */
const failedRegistry = (failed: number): LoadEvent => ({
  type: 'registry-finished',
  registry: r,
  copied: 0,
  upToDate: 0,
  failed,
  cancelled: 0,
  bytes: 0,
  durationMs: 1,
  ok: false,
  time: T0,
});
const t = 'reg/app:v1';
const start: LoadEvent[] = [
  { type: 'registry-started', registry: r, time: T0 },
  { type: 'registry-listed', registry: r, images: 3, time: T0 },
  { type: 'image-started', registry: r, source: 'src/app:v1', target: t, time: T0 },
];

describe('LiveModel per-image bytes', () => {
  it('adds up transferred bytes of several blobs streaming in parallel', () => {
    const model = fed([
      ...start,
      { type: 'blob-started', registry: r, target: t, digest: digest('a'), size: 100, time: T0 },
      { type: 'blob-started', registry: r, target: t, digest: digest('b'), size: 300, time: T0 },
      { type: 'blob-progress', registry: r, target: t, digest: digest('a'), size: 100, transferred: 40, time: T0 + 1 },
      { type: 'blob-progress', registry: r, target: t, digest: digest('b'), size: 300, transferred: 60, time: T0 + 2 },
      { type: 'blob-progress', registry: r, target: t, digest: digest('a'), size: 100, transferred: 70, time: T0 + 3 },
    ]);
    assert.deepEqual(bytesOfFirstImage(model, T0 + 1000), { total: 400, done: 130, streamed: 130 });
  });

  it('counts skipped and mounted blobs as done but not as streamed', () => {
    const model = fed([
      ...start,
      { type: 'blob-skipped', registry: r, target: t, digest: digest('a'), size: 100, time: T0 },
      { type: 'blob-mounted', registry: r, target: t, digest: digest('b'), size: 200, from: 'other/repo', time: T0 },
      { type: 'blob-started', registry: r, target: t, digest: digest('c'), size: 50, time: T0 },
    ]);
    assert.deepEqual(bytesOfFirstImage(model, T0), { total: 350, done: 300, streamed: 0 });
  });

  it('completes a blob on blob-done even without a final progress event', () => {
    const model = fed([
      ...start,
      { type: 'blob-started', registry: r, target: t, digest: digest('a'), size: 100, time: T0 },
      { type: 'blob-progress', registry: r, target: t, digest: digest('a'), size: 100, transferred: 10, time: T0 },
      { type: 'blob-done', registry: r, target: t, digest: digest('a'), size: 100, durationMs: 5, time: T0 },
    ]);
    const [image] = model.view(T0).images;
    assert.equal(image?.doneBytes, 100);
    assert.equal(image.streamedBytes, 100);
  });

  it('starts a blob over when it is restarted after a broken stream', () => {
    const model = fed([
      ...start,
      { type: 'blob-started', registry: r, target: t, digest: digest('a'), size: 100, time: T0 },
      { type: 'blob-progress', registry: r, target: t, digest: digest('a'), size: 100, transferred: 80, time: T0 },
      { type: 'blob-started', registry: r, target: t, digest: digest('a'), size: 100, time: T0 },
    ]);
    const [image] = model.view(T0).images;
    assert.equal(image?.doneBytes, 0);
    assert.equal(image.totalBytes, 100);
  });

  it('drops blob events of images it does not know (late or foreign)', () => {
    const model = fed([...start, { type: 'blob-started', registry: r, target: 'reg/other:v1', digest: digest('a'), size: 100, time: T0 }]);
    assert.equal(model.view(T0).images.length, 1);
    assert.equal(model.view(T0).images[0]?.totalBytes, 0);
  });
});

describe('LiveModel registries and totals', () => {
  it('removes finished images and counts them per registry', () => {
    const events: LoadEvent[] = [
      ...start,
      { type: 'image-started', registry: r, source: 's/b', target: 'reg/b', time: T0 },
      { type: 'image-started', registry: r, source: 's/c', target: 'reg/c', time: T0 },
      {
        type: 'image-done',
        registry: r,
        source: 'src/app:v1',
        target: t,
        digest: digest('1'),
        sourceDigest: digest('1'),
        bytes: 500,
        blobsCopied: 1,
        blobsSkipped: 0,
        blobsMounted: 0,
        durationMs: 1,
        time: T0,
      },
      { type: 'image-skipped', registry: r, source: 's/b', target: 'reg/b', digest: digest('2'), reason: 'up-to-date', time: T0 },
    ];
    const view = fed(events).view(T0);
    assert.deepEqual(
      view.images.map((i) => i.target),
      ['reg/c'],
    );
    const [registry] = view.registries;
    assert.deepEqual([registry?.copied, registry?.upToDate, registry?.failed, registry?.listed, registry?.bytes], [1, 1, 0, 3, 500]);
    assert.deepEqual(view.totals, { done: 2, listed: 3, bytes: 500 });
  });

  it('keeps two registries apart while their events interleave', () => {
    const view = fed(until((e) => e.type === 'image-failed')).view(T0 + 250);
    assert.deepEqual(
      view.images.map((i) => [i.registry, i.target, i.doneBytes, i.totalBytes]),
      [
        [REGISTRY_A, APP_TARGET, 3 * MIB, 6 * MIB],
        [REGISTRY_B, DB_TARGET, 2 * MIB, 8 * MIB],
      ],
    );
    const [a, b] = view.registries;
    assert.deepEqual([a?.name, a?.status, a?.failed, a?.bytes], [REGISTRY_A, 'active', 0, 1 * MIB]);
    assert.deepEqual([b?.name, b?.status, b?.failed, b?.bytes], [REGISTRY_B, 'active', 1, 2 * MIB]);
    assert.deepEqual(view.totals, { done: 1, listed: 3, bytes: 3 * MIB });
    assert.ok(!view.images.some((i) => i.target === BAD_TARGET));
  });

  it('finishes registries with ok from registry-finished, while the other keeps going', () => {
    const view = fed(until((e) => e.type === 'registry-finished')).view(T0 + 330);
    const [a, b] = view.registries;
    assert.deepEqual([a?.status, a?.ok, a?.copied, a?.bytes], ['finished', true, 1, 4 * MIB]);
    assert.deepEqual([b?.status, b?.ok], ['active', true]);
    assert.deepEqual(
      view.images.map((i) => i.target),
      [DB_TARGET],
    );
    assert.deepEqual(view.totals, { done: 2, listed: 3, bytes: 6 * MIB });
  });

  it('ends the run with every registry finished and no active image', () => {
    const view = fed(twoRegistryRun(T0)).view(T0 + 430);
    assert.equal(view.images.length, 0);
    assert.deepEqual(
      view.registries.map((x) => [x.name, x.status, x.ok, x.copied, x.failed]),
      [
        [REGISTRY_A, 'finished', true, 1, 0],
        [REGISTRY_B, 'finished', false, 1, 1],
      ],
    );
    assert.deepEqual(view.totals, { done: 3, listed: 3, bytes: 12 * MIB });
    assert.equal(view.startedAt, T0);
  });

  it('lists announced registries as pending until they start', () => {
    const view = fed([
      { type: 'run-started', registries: ['x', 'y'], dryRun: false, time: T0 },
      { type: 'registry-started', registry: 'y', time: T0 },
    ]).view(T0);
    assert.deepEqual(
      view.registries.map((x) => [x.name, x.status]),
      [
        ['x', 'pending'],
        ['y', 'active'],
      ],
    );
  });

  it('drops images of a registry that finished without their own end event', () => {
    const view = fed([...start, failedRegistry(1)]).view(T0);
    assert.equal(view.images.length, 0);
    assert.equal(view.registries[0]?.ok, false);
  });

  it('marks a failed syncer script and keeps it failed through registry-finished', () => {
    const view = fed([
      { type: 'registry-started', registry: r, time: T0 },
      {
        type: 'registry-script-failed',
        registry: r,
        message: 'syncer script "x" exited with code 2',
        stderrTail: ['oops', 'boom'],
        time: T0,
      },
      failedRegistry(0),
    ]).view(T0);
    assert.deepEqual(
      [view.registries[0]?.scriptError, view.registries[0]?.ok],
      ['syncer script "x" exited with code 2: boom', false],
      'the message with the last stderr line',
    );
  });

  it('counts a dry run from its planned images', () => {
    const plan = (action: 'copy' | 'up-to-date' | 'error'): LoadEvent => ({
      type: 'image-planned',
      registry: r,
      source: 's',
      target: `t-${action}`,
      action,
      time: T0,
    });
    const view = fed([
      { type: 'run-started', registries: [r], dryRun: true, time: T0 },
      plan('copy'),
      plan('copy'),
      plan('up-to-date'),
      plan('error'),
    ]).view(T0);
    const [registry] = view.registries;
    assert.equal(view.dryRun, true);
    assert.deepEqual([registry?.wouldCopy, registry?.upToDate, registry?.failed], [2, 1, 1]);
    assert.equal(view.totals.done, 4);
  });

  it('starts a registry over when it runs again without a run-started (sync schedules)', () => {
    const once: LoadEvent[] = [
      ...start,
      {
        type: 'registry-finished',
        registry: r,
        copied: 2,
        upToDate: 1,
        failed: 0,
        cancelled: 0,
        bytes: 900,
        durationMs: 1,
        ok: true,
        time: T0,
      },
    ];
    const model = fed([...once, { type: 'registry-started', registry: 'other', time: T0 }]);
    model.apply({ type: 'registry-started', registry: r, time: T0 + 60_000 });
    const [registry, other] = model.view(T0 + 60_000).registries;
    assert.deepEqual(
      [registry?.name, registry?.status, registry?.copied, registry?.listed, registry?.bytes],
      [r, 'active', 0, undefined, 0],
    );
    assert.deepEqual([other?.name, other?.status], ['other', 'active']);
  });

  it('starts afresh on the next run-started', () => {
    const model = fed(twoRegistryRun(T0));
    model.apply({ type: 'run-started', registries: ['z'], dryRun: false, time: T0 + 5000 });
    const view = model.view(T0 + 5000);
    assert.deepEqual(
      view.registries.map((x) => x.name),
      ['z'],
    );
    assert.deepEqual([view.startedAt, view.totals.bytes], [T0 + 5000, 0]);
  });
});
