import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobOverheads, slotsOf } from './queue-overhead.js';

const at = (ms: number): string => new Date(Date.UTC(2026, 11, 1, 0, 0, 0, ms)).toISOString();
const base = Date.UTC(2026, 11, 1);

test('jobOverheads: pickup, progress and result time of each job, from the sync and worker logs on one clock', () => {
  const sync = [
    { event: 'copy-job-result-seen', job: 'a', queuedAt: base + 100, time: at(2_010) },
    { event: 'copy-job-result-seen', job: 'b', queuedAt: base + 100, time: at(3_500) },
    { event: 'sync-run-finished', time: at(4_000) },
  ];
  const workers = [
    { event: 'copy-job-taken', job: 'a', time: at(103) },
    { event: 'copy-job-taken', job: 'b', time: at(150) },
    { event: 'copy-job-ended', job: 'a', progressWaitMs: 4, time: at(2_000) },
    { event: 'copy-job-ended', job: 'b', progressWaitMs: 0, time: at(3_499) },
  ];
  assert.deepEqual(jobOverheads(sync, [{ lines: workers, slots: 8 }]), [
    { job: 'a', pickupMs: 3, progressMs: 4, resultMs: 10, totalMs: 17 },
    { job: 'b', pickupMs: 50, progressMs: 0, resultMs: 1, totalMs: 51 },
  ]);
});

test('jobOverheads times each event by its preciseTime (to the microsecond) when it has one, not by when its line was written', () => {
  // The lines were written up to a millisecond after their events: their times alone would say 3 + 1 + 2 = 6 ms.
  const sync = [{ event: 'copy-job-result-seen', job: 'a', queuedAt: base + 100.25, preciseTime: base + 2_001.5, time: at(2_002) }];
  const workers = [
    { event: 'copy-job-taken', job: 'a', preciseTime: base + 101.75, time: at(103) },
    { event: 'copy-job-ended', job: 'a', progressWaitMs: 0.125, preciseTime: base + 2_000.25, time: at(2_001) },
  ];
  assert.deepEqual(jobOverheads(sync, [{ lines: workers, slots: 1 }]), [
    { job: 'a', pickupMs: 1.5, progressMs: 0.125, resultMs: 1.25, totalMs: 2.875 },
  ]);
});

test('jobOverheads leaves out a job taken twice (its retry is not the queue) and one never seen ended', () => {
  const sync = [
    { event: 'copy-job-result-seen', job: 'twice', queuedAt: base, time: at(900) },
    { event: 'copy-job-result-seen', job: 'no-end', queuedAt: base, time: at(900) },
  ];
  const workers = [
    { event: 'copy-job-taken', job: 'twice', time: at(1) },
    { event: 'copy-job-taken', job: 'twice', time: at(500) },
    { event: 'copy-job-ended', job: 'twice', progressWaitMs: 1, time: at(800) },
    { event: 'copy-job-taken', job: 'no-end', time: at(1) },
  ];
  assert.deepEqual(jobOverheads(sync, [{ lines: workers, slots: 8 }]), []);
  assert.throws(
    () =>
      jobOverheads(
        [{ event: 'copy-job-result-seen', job: 'x', queuedAt: base, time: 'soon' }],
        [
          {
            lines: [
              { event: 'copy-job-taken', job: 'x', time: at(1) },
              { event: 'copy-job-ended', job: 'x', progressWaitMs: 1, time: at(2) },
            ],
            slots: 1,
          },
        ],
      ),
    /a copy-job-result-seen line without a time/,
  );
});

test('jobOverheads counts a pickup from when the worker had a free slot: a job queued behind running copies waited for them, not for the queue', () => {
  const sync = [
    { event: 'copy-job-result-seen', job: 'a', queuedAt: base, time: at(1_001) },
    { event: 'copy-job-result-seen', job: 'b', queuedAt: base, time: at(1_502) },
    { event: 'copy-job-result-seen', job: 'c', queuedAt: base, time: at(2_003) },
  ];
  // One slot: b waits for a's end at 1,000 and is taken at 1,004; c waits for b's end at 1,500.
  const lines = [
    { event: 'copy-job-taken', job: 'a', time: at(2) },
    { event: 'copy-job-ended', job: 'a', progressWaitMs: 0, time: at(1_000) },
    { event: 'copy-job-taken', job: 'b', time: at(1_004) },
    { event: 'copy-job-ended', job: 'b', progressWaitMs: 1, time: at(1_500) },
    { event: 'copy-job-taken', job: 'c', time: at(1_500) },
    { event: 'copy-job-ended', job: 'c', progressWaitMs: 0, time: at(2_000) },
  ];
  assert.deepEqual(
    jobOverheads(sync, [{ lines, slots: 1 }]).map((j) => [j.job, j.pickupMs, j.totalMs]),
    [
      ['a', 2, 3],
      ['b', 4, 7],
      ['c', 0, 3],
    ],
  );
  // With two slots b had room from the start: its pickup is all of its 1,004 ms.
  assert.equal(jobOverheads(sync, [{ lines, slots: 2 }])[1]?.pickupMs, 1_004);
});

test("slotsOf reads a worker's slots from its worker-ready line, and throws naming the worker when the line is missing or odd", () => {
  assert.equal(slotsOf([{ event: 'copy-job-taken' }, { event: 'worker-ready', concurrency: 8 }], 'worker 1'), 8);
  assert.throws(() => slotsOf([{ event: 'copy-job-taken' }], 'worker 2'), /worker 2 logged no worker-ready line/);
  assert.throws(() => slotsOf([{ event: 'worker-ready' }], 'worker 3'), /worker 3's worker-ready line says concurrency undefined/);
  assert.throws(() => slotsOf([{ event: 'worker-ready', concurrency: 0 }], 'worker 4'), /concurrency 0: not a number of slots/);
});
