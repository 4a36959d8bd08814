import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cpuText,
  loopDelaySummary,
  loopDelayText,
  medianCpu,
  overheadSummary,
  overheadText,
  passes,
  workerImagesOf,
} from './queue-report.js';

const job = (job: string, pickupMs: number, progressMs: number, resultMs: number) => ({
  job,
  pickupMs,
  progressMs,
  resultMs,
  totalMs: pickupMs + progressMs + resultMs,
});

test('overheadSummary gives each part its median and max over the jobs; no job at all is an error naming the line', () => {
  const summary = overheadSummary([job('a', 2, 1, 2), job('b', 30, 0, 4), job('c', 1, 5, 1)], 'one at a time');
  assert.deepEqual(summary, {
    jobs: 3,
    pickupMs: { median: 2, max: 30 },
    progressMs: { median: 1, max: 5 },
    resultMs: { median: 2, max: 4 },
    totalMs: { median: 7, max: 34 },
  });
  assert.throws(() => overheadSummary([], 'one at a time'), /one at a time: no job could be measured/);
});

test('an overhead line passes when its median is under the limit, and its text says PASS or MISS, the parts and what it means', () => {
  const fast = overheadSummary([job('a', 2, 1, 1), job('b', 1, 1, 1), job('c', 40, 9, 9)], 'fast');
  const slow = overheadSummary([job('a', 20, 10, 9), job('b', 16, 11, 10)], 'slow');
  assert.equal(passes(fast), true); // median 4, max 58: a typical image is what the limit is about
  assert.equal(passes(slow), false);
  assert.equal(passes(overheadSummary([job('a', 2, 1, 2)], 'edge')), false); // 5 is not under 5
  const text = overheadText({ title: 'the mechanism alone', meaning: 'one job at a time, nothing else on the cores', summary: fast });
  assert.match(text[0] ?? '', /^PASS {2}the mechanism alone: 4\.0 ms per image, median over 3 jobs \(max 58\.0; < 5 ms on loopback\)$/);
  assert.match(
    text[1] ?? '',
    /takes it 2\.0 ms \(max 40\.0\) \+ copy ended -> its result ready \(with its last events\) 1\.0 ms \(max 9\.0\)/,
  );
  assert.match(text.join('\n'), /one job at a time, nothing else on the cores/);
  assert.match(overheadText({ title: 'corpus', meaning: 'x', summary: slow })[0] ?? '', /^MISS {2}corpus: 38\.0 ms per image/);
  // A line shown for comparison has no verdict, whether its figure is over the limit or not.
  assert.match(overheadText({ title: 'twice', meaning: 'x', summary: slow, checked: false })[0] ?? '', /^SHOWN twice: 38\.0 ms per image/);
  assert.match(overheadText({ title: 'twice', meaning: 'x', summary: fast, checked: false })[0] ?? '', /^SHOWN twice: 4\.0 ms per image/);
});

test("workerImagesOf shares the in-process run's copy slots out over the workers (rounded up, at least 1), unless told", () => {
  assert.equal(workerImagesOf(8, 2), 4);
  assert.equal(workerImagesOf(8, 3), 3); // 9 under way against 8: the nearest without leaving a slot of the 8 unused
  assert.equal(workerImagesOf(1, 2), 1);
  assert.equal(workerImagesOf(8, 1), 8);
  assert.equal(workerImagesOf(8, 2, 8), 8);
});

test("medianCpu takes each role's median over the runs (a role missing from a run counts 0 there); cpuText adds them up", () => {
  const cpu = medianCpu([
    { cpuMs: { sync: 1_000, workers: 4_000 } },
    { cpuMs: { sync: 3_000, workers: 2_000, redis: 300 } },
    { cpuMs: { sync: 2_000, workers: 3_000, redis: 100 } },
  ]);
  assert.deepEqual(cpu, { redis: 100, sync: 2_000, workers: 3_000 });
  assert.equal(cpuText(cpu), 'redis 0.10 s, sync 2.00 s, workers 3.00 s = 5.10 s');
});

test('loopDelaySummary: median of the p50s, highest p99 and max; reports without samples are left out', () => {
  const report = (p50: number, p99: number, max: number) => ({ mean: p50, p50, p99, max, samples: 100 });
  assert.deepEqual(loopDelaySummary([report(1, 10, 30), null, report(3, 8, 12), report(2, 20, 25)]), {
    p50: 2,
    p99: 20,
    max: 30,
    reports: 3,
  });
  assert.equal(loopDelaySummary([null]), null);
  assert.equal(loopDelayText(null), 'not measured');
  assert.equal(loopDelayText({ p50: 2, p99: 20, max: 30, reports: 3 }), 'p50 2.0 / p99 20.0 / max 30.0 ms');
});
