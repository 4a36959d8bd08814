import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadEvent } from './events.js';
import { RunCounter } from './run-counts.js';

const base = { registry: 'r', source: 's/a:1', target: 'r/a:1', time: 1 };
/** An `image-done` event of one copied blob: only its bytes (and referrers) vary between cases. */
const imageDone = (bytes: number, extra: Partial<Extract<LoadEvent, { type: 'image-done' }>> = {}): LoadEvent => ({
  type: 'image-done',
  ...base,
  digest: 'd',
  sourceDigest: 'd',
  bytes,
  blobsCopied: 1,
  blobsSkipped: 0,
  blobsMounted: 0,
  durationMs: 1,
  ...extra,
});

test("a run's outcomes and the events that report them count the same", () => {
  const fromOutcomes = new RunCounter();
  for (const [status, bytes] of [
    ['copied', 10],
    ['copied', 5],
    ['up-to-date', 0],
    ['failed', 0],
    ['cancelled', 0],
    ['would-copy', 0],
  ] as const)
    fromOutcomes.add(status, bytes);

  const fromEvents = new RunCounter();
  const events: LoadEvent[] = [
    { type: 'image-started', ...base },
    imageDone(10),
    imageDone(5),
    { type: 'image-skipped', ...base, digest: 'd', reason: 'up-to-date' },
    { type: 'image-failed', ...base, error: { code: 'X', message: 'no' } },
    { type: 'image-cancelled', ...base, started: true },
    { type: 'image-planned', ...base, action: 'copy' },
    { type: 'blob-done', registry: 'r', target: 'r/a:1', digest: 'd', size: 99, durationMs: 1, time: 1 },
    { type: 'registry-line-invalid', registry: 'r', line: 3, text: '!', message: 'bad', time: 1 },
  ];
  for (const event of events) fromEvents.addEvent(event);

  assert.deepEqual(fromEvents.images(), fromOutcomes.images());
  assert.deepEqual(fromEvents.images(), { copied: 2, upToDate: 1, failed: 1, cancelled: 1, bytes: 15 });
  assert.deepEqual([fromEvents.wouldCopy, fromEvents.invalidLines, fromEvents.scriptFailures], [1, 1, 0]);
});

test("a finished run's own counts replace what the events added up; list problems it does not give stay", () => {
  const counter = new RunCounter();
  counter.addEvent({ type: 'image-failed', ...base, error: { code: 'X', message: 'no' } });
  counter.addEvent({ type: 'registry-line-invalid', registry: 'r', line: 3, text: '!', message: 'bad', time: 1 });
  counter.settle({ copied: 4, upToDate: 3, failed: 2, cancelled: 1, bytes: 100, durationMs: 5, ok: false });
  assert.deepEqual(counter.images(), { copied: 4, upToDate: 3, failed: 2, cancelled: 1, bytes: 100 });
  assert.equal(counter.invalidLines, 1);
  counter.settle({
    copied: 4,
    upToDate: 3,
    failed: 2,
    cancelled: 1,
    bytes: 100,
    durationMs: 5,
    ok: false,
    invalidLines: 7,
    scriptFailures: 1,
  });
  assert.deepEqual([counter.invalidLines, counter.scriptFailures], [7, 1]);
});

test('the referrers that followed each image add up apart from the images, from outcomes and from events alike; a finished run gives its own', () => {
  const fromOutcomes = new RunCounter();
  fromOutcomes.add('copied', 10, { copied: 2, present: 0, failed: 1 });
  fromOutcomes.add('up-to-date', 0, { copied: 0, present: 3, failed: 0 });
  fromOutcomes.add('failed', 0);
  const fromEvents = new RunCounter();
  fromEvents.addEvent(imageDone(10, { referrers: { copied: 2, present: 0, failed: 1 } }));
  fromEvents.addEvent({
    type: 'image-skipped',
    ...base,
    digest: 'd',
    reason: 'up-to-date',
    referrers: { copied: 0, present: 3, failed: 0 },
  });
  assert.deepEqual(fromOutcomes.referrers, { copied: 2, present: 3, failed: 1 });
  assert.deepEqual(fromEvents.referrers, fromOutcomes.referrers);
  fromEvents.settle({
    copied: 1,
    upToDate: 1,
    failed: 0,
    cancelled: 0,
    bytes: 10,
    durationMs: 5,
    ok: true,
    referrers: { copied: 9, present: 0, failed: 0 },
  });
  assert.deepEqual(fromEvents.referrers, { copied: 9, present: 0, failed: 0 });
});
