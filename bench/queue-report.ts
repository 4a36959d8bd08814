import type { JobOverhead } from './queue-overhead.js';
import { round } from './series.js';
import { median } from './stats.js';
import { fixed } from './table.js';

/** The design's limit on the queue's own time per image (enqueue to pickup, progress, result back), loopback. */
export const QUEUE_OVERHEAD_LIMIT_MS = 5;

export interface PartFigure {
  median: number;
  max: number;
}

/** The queue's time per job over a set of jobs: median and max of each part. */
export interface OverheadSummary {
  jobs: number;
  pickupMs: PartFigure;
  progressMs: PartFigure;
  resultMs: PartFigure;
  totalMs: PartFigure;
}

/** Median and max of each part; no measured job is an error naming `what` (a median of nothing would read as NaN). */
export function overheadSummary(jobs: readonly JobOverhead[], what: string): OverheadSummary {
  if (jobs.length === 0) throw new Error(`${what}: no job could be measured (none taken once and seen ended)`);
  const part = (key: keyof Omit<JobOverhead, 'job'>): PartFigure => ({
    median: round(median(jobs.map((j) => j[key])), 1),
    max: round(Math.max(...jobs.map((j) => j[key])), 1),
  });
  return {
    jobs: jobs.length,
    pickupMs: part('pickupMs'),
    progressMs: part('progressMs'),
    resultMs: part('resultMs'),
    totalMs: part('totalMs'),
  };
}

/**
 * Copy slots of each worker of the row's measured lines: `explicit` (--queue-worker-images), or the
 * in-process run's slots shared out over the workers (rounded up), so the queued run has as many
 * copies under way as the in-process one and the two load the cores alike: the difference is then
 * the queue's, not that of twice the copies competing for the same cores.
 */
export function workerImagesOf(inProcessImages: number, workers: number, explicit?: number): number {
  return explicit ?? Math.max(1, Math.ceil(inProcessImages / Math.max(1, workers)));
}

/** One line of the row's overhead report: what was measured, what it means, its figures. */
export interface OverheadLine {
  title: string;
  /** What the figure says, in a sentence or two (shown under it). */
  meaning: string;
  summary: OverheadSummary;
  /** False: shown for comparison, not held to the limit (no PASS or MISS). */
  checked?: boolean;
}

/** PASS when the median job's queue time is under the limit: the figure is per image, a typical one. */
export const passes = (summary: OverheadSummary, limitMs = QUEUE_OVERHEAD_LIMIT_MS): boolean => summary.totalMs.median < limitMs;

const ms = (p: PartFigure): string => `${fixed(p.median, 1)} ms (max ${fixed(p.max, 1)})`;

/** The text of one overhead line: its verdict first, then the parts, then what it means. */
export function overheadText(line: OverheadLine, limitMs = QUEUE_OVERHEAD_LIMIT_MS): string[] {
  const s = line.summary;
  return [
    `${line.checked === false ? 'SHOWN' : passes(s, limitMs) ? 'PASS ' : 'MISS '} ${line.title}: ${fixed(s.totalMs.median, 1)} ms per image, median over ${s.jobs} jobs (max ${fixed(s.totalMs.max, 1)}; < ${limitMs} ms on loopback)`,
    `      = sync adds the job -> a worker takes it ${ms(s.pickupMs)} + copy ended -> its result ready (with its last events) ${ms(s.progressMs)}`,
    `      + worker returns the result -> sync receives it ${ms(s.resultMs)}`,
    ...wrap(line.meaning, 96).map((l) => `      ${l}`),
  ];
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(current);
  return lines;
}

/** Per role (sync, workers, redis, registries), the median CPU of the runs, ms; a role a run lacks counts as 0 there. */
export function medianCpu(runs: ReadonlyArray<{ cpuMs: Record<string, number> }>): Record<string, number> {
  const roles = [...new Set(runs.flatMap((r) => Object.keys(r.cpuMs)))].sort();
  return Object.fromEntries(roles.map((role) => [role, Math.round(median(runs.map((r) => r.cpuMs[role] ?? 0)))]));
}

/** CPU figures as `sync 1.20 s, workers 3.40 s, ... = 4.60 s`. */
export function cpuText(cpu: Record<string, number>): string {
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  return `${Object.entries(cpu)
    .map(([role, ms]) => `${role} ${fixed(ms / 1000, 2)} s`)
    .join(', ')} = ${fixed(total / 1000, 2)} s`;
}

export interface LoopDelay {
  mean: number;
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

/** Event-loop delay over several reports: the median of their p50s, the highest p99 and max (null reports left out). */
export function loopDelaySummary(
  reports: ReadonlyArray<LoopDelay | null>,
): { p50: number; p99: number; max: number; reports: number } | null {
  const present = reports.filter((r): r is LoopDelay => r !== null);
  if (present.length === 0) return null;
  return {
    p50: round(median(present.map((r) => r.p50)), 2),
    p99: round(Math.max(...present.map((r) => r.p99)), 2),
    max: round(Math.max(...present.map((r) => r.max)), 2),
    reports: present.length,
  };
}

export function loopDelayText(summary: ReturnType<typeof loopDelaySummary>): string {
  return summary === null
    ? 'not measured'
    : `p50 ${fixed(summary.p50, 1)} / p99 ${fixed(summary.p99, 1)} / max ${fixed(summary.max, 1)} ms`;
}
