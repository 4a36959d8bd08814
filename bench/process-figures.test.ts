import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuByRole, parseStat, probeReports, PROBE_MARK } from './process-figures.js';

test('parseStat reads ppid, utime and stime after a command name holding spaces and parentheses', () => {
  const line = '4242 (node (x) y) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 11 0 999 0 0';
  assert.deepEqual(parseStat(line), { ppid: 17, utime: 250, stime: 31 });
});

test('probeReports keeps the marked lines of a stderr, in order, and nothing else', () => {
  const report = { why: 'signal', pid: 1, wallMs: 900, cpuMs: 300, loopDelayMs: { mean: 1, p50: 1, p99: 9, max: 12, samples: 400 } };
  const stderr = [
    'a warning',
    `${PROBE_MARK}${JSON.stringify(report)}`,
    `${PROBE_MARK}${JSON.stringify({ ...report, why: 'exit' })}`,
    '',
  ].join('\n');
  assert.deepEqual(
    probeReports(stderr).map((r) => [r.why, r.cpuMs, r.loopDelayMs?.p99]),
    [
      ['signal', 300, 9],
      ['exit', 300, 9],
    ],
  );
  assert.deepEqual(probeReports('nothing marked\n'), []);
});

test('cpuByRole adds up the CPU each named role used between two snapshots; a process started since counts from 0', () => {
  const before = new Map([
    [1, { args: 'redis-server 127.0.0.1:6000', cpuMs: 100 }],
    [2, { args: 'node picture-book.js worker', cpuMs: 50 }],
    [3, { args: 'node picture-book.js worker', cpuMs: 70 }],
  ]);
  const after = new Map([
    [1, { args: 'redis-server 127.0.0.1:6000', cpuMs: 160 }],
    [2, { args: 'node picture-book.js worker', cpuMs: 250 }],
    [3, { args: 'node picture-book.js worker', cpuMs: 370 }],
    [4, { args: 'node picture-book.js worker', cpuMs: 5 }],
    [5, { args: 'something else', cpuMs: 999 }],
  ]);
  const roleOf = (args: string) => (args.startsWith('redis') ? 'redis' : args.includes('worker') ? 'workers' : undefined);
  assert.deepEqual(cpuByRole(before, after, roleOf), { redis: 60, workers: 505 });
});
