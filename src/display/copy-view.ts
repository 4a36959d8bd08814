import type { CopyEvent } from '../copy/events.js';
import { describeEvent } from './event-lines.js';
import { LiveReporter } from './live-reporter.js';
import type { ReporterOptions, ReporterOutput } from './reporter.js';
import { escapeControl } from './terminal.js';

/** What `picture-book copy` shows while it works; the command prints the result itself. */
export interface CopyView {
  handle(event: CopyEvent): void;
  /** Erases the live block (if any): call before printing the result or the error. */
  close(): void;
}

export interface CopyViewOptions extends ReporterOptions {
  /** The target registry: the one line of the live view, as `load` shows a configured registry. */
  registry: string;
  /** `-v`: every blob, manifest and retry (and whatever else describeEvent has a line for). */
  verbose: boolean;
  /** Where -v lines go when `out` is not a terminal (stdout keeps only the result). */
  err: { write(s: string): boolean };
}

/** How the image as a whole went: the command prints that itself (result or error), once. */
const IMAGE_LEVEL = new Set<CopyEvent['type']>(['image-started', 'image-skipped', 'image-done', 'image-failed', 'image-cancelled']);
/** Warnings: said without -v too (a signature that did not follow its image). */
const WARNINGS = new Set<CopyEvent['type']>(['referrers-not-listed', 'referrer-failed']);

/**
 * On a terminal, the live view of `load` for the one image (bytes, rate and a bar), with -v lines
 * printed above it; it is erased at the end, so the result lines follow. Elsewhere nothing moves:
 * -v lines go to stderr, one per event.
 */
export function createCopyView(out: ReporterOutput, options: CopyViewOptions): CopyView {
  const { registry } = options;
  if (!out.isTTY) {
    return {
      handle(event) {
        if ((!options.verbose && !WARNINGS.has(event.type)) || IMAGE_LEVEL.has(event.type)) return;
        for (const line of describeEvent({ ...event, registry }) ?? []) options.err.write(`  ${escapeControl(line)}\n`);
      },
      close() {
        // Nothing to close: plain lines are written as events come.
      },
    };
  }
  const live = new LiveReporter(out, { ...options, finalScreen: false });
  const time = Date.now();
  live.handle({ type: 'run-started', registries: [registry], dryRun: false, time });
  live.handle({ type: 'registry-started', registry, time });
  live.handle({ type: 'registry-listed', registry, images: 1, time });
  return {
    handle(event) {
      // The command's own lines say how it ended; above the block it would be said twice.
      if (IMAGE_LEVEL.has(event.type) && event.type !== 'image-started') return;
      live.handle({ ...event, registry });
    },
    close() {
      live.close();
    },
  };
}
