import { loadavg } from 'node:os';
import type { Measured } from './timed-process.js';
import { max, median } from './stats.js';

/** One measured process run. */
export interface Sample {
  wallMs: number;
  peakRssKiB: number;
  /** The machine's 1-minute load average right after the run: shows when something else was busy. */
  load1: number;
}

/** Repeated samples of one thing (e.g. "picture-book, full mirror"). */
export class Series {
  readonly samples: Sample[] = [];

  constructor(readonly label: string) {}

  add(measured: Measured): Sample {
    const sample = { wallMs: Math.round(measured.wallMs * 10) / 10, peakRssKiB: measured.peakRssKiB, load1: round(loadavg()[0] ?? 0, 2) };
    this.samples.push(sample);
    return sample;
  }

  get medianS(): number {
    return median(this.samples.map((s) => s.wallMs)) / 1000;
  }

  /** The highest peak over all samples: memory bounds are about the worst run, not the typical one. */
  get maxRssMB(): number {
    return (max(this.samples.map((s) => s.peakRssKiB)) * 1024) / 1e6;
  }

  toJSON(): { label: string; medianS: number; maxRssMB: number; samples: Sample[] } {
    return { label: this.label, medianS: round(this.medianS, 3), maxRssMB: round(this.maxRssMB, 1), samples: this.samples };
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Runs the steps `rounds` times, rotating which goes first each round (A B C, B C A, C A B, ...), so
 * that neither warm caches nor a slowly filling disk favour one tool.
 */
export async function interleave(
  rounds: number,
  steps: ReadonlyArray<{ name: string; run: (round: number) => Promise<void> }>,
  log: (line: string) => void,
): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const order = steps.map((_, i) => steps[(i + r) % steps.length] as (typeof steps)[number]);
    log(`round ${r + 1}/${rounds}: ${order.map((s) => s.name).join(', ')}`);
    for (const step of order) await step.run(r);
  }
}
