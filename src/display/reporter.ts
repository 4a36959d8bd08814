import type { LoadEvent } from '../load/events.js';
import { JsonReporter } from './json-reporter.js';
import { LiveReporter } from './live-reporter.js';
import { PlainReporter } from './plain-reporter.js';

/** Turns a run's events into output for people or machines. */
export interface Reporter {
  handle(event: LoadEvent): void;
  /** final flush, e.g. leave the final screen */
  close(): void;
}

export type DisplayMode = 'spinner' | 'plain' | 'json';

/** Where a reporter writes: a process stream, or anything shaped like one (tests). */
export interface ReporterOutput {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface ReporterOptions {
  /** The clock for elapsed times and rates (defaults to Date.now). */
  now?: () => number;
  /** How often the live view redraws; 0 draws only on demand (tests). */
  refreshMs?: number;
  /**
   * Live view: print every event that has a line (blobs, manifests, retries) above the block, not
   * only problems. Live and plain: name each repository and tag a rule's filters dropped.
   */
  verbose?: boolean;
  /** Live view: leave the final screen (registry lines and summary) when a run ends; false erases the block (copy prints its own result). */
  finalScreen?: boolean;
}

export function createReporter(
  mode: DisplayMode,
  out: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean; columns?: number },
  options: ReporterOptions = {},
): Reporter {
  const output: ReporterOutput = out;
  switch (mode) {
    case 'json':
      return new JsonReporter(output);
    case 'plain':
      return new PlainReporter(output, options);
    case 'spinner':
      // Cursor movement means nothing in a file or pipe: fall back to one line per event.
      return output.isTTY ? new LiveReporter(output, options) : new PlainReporter(output, options);
  }
}
