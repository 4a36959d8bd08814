/**
 * Loaded into the bench's `sync` and `worker` processes with `node --import` (never into the
 * product): their event-loop delay (node:perf_hooks) and CPU time, written to stderr as one
 * marked JSON line on SIGUSR2 (then reset) and at exit. Imports nothing of picture-book.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PROBE_MARK, type ProbeFigures } from './process-figures.js';

// 2 ms: the hops measured are a few ms each; the default 10 ms would hide them.
const RESOLUTION_MS = 2;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();
let cpu = process.cpuUsage();
let since = Date.now();

function report(why: 'signal' | 'exit'): void {
  const used = process.cpuUsage(cpu);
  // The histogram holds the time between the timer's runs: its lateness is that minus the resolution.
  const ms = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  const empty = delay.count === 0;
  const figures: ProbeFigures = {
    why,
    pid: process.pid,
    wallMs: Date.now() - since,
    cpuMs: Math.round((used.user + used.system) / 1000),
    loopDelayMs: empty
      ? null
      : { mean: ms(delay.mean), p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), samples: delay.count },
  };
  process.stderr.write(`${PROBE_MARK}${JSON.stringify(figures)}\n`);
  delay.reset();
  cpu = process.cpuUsage();
  since = Date.now();
}

process.on('SIGUSR2', () => report('signal'));
process.on('exit', () => report('exit'));
