import type { LoadEvent } from '../load/events.js';
import { describeEvent } from './event-lines.js';
import { LiveReporter } from './live-reporter.js';
import type { ReporterOptions, ReporterOutput } from './reporter.js';
import { RunTally } from './run-tally.js';
import { summaryLines } from './summary.js';
import { escapeControl } from './terminal.js';

/** What `picture-book copy --all-tags` shows: the run of one target repository, as `load` shows a registry. */
export interface AllTagsView {
  /** The run's events: run-started, registry-started/-listed, every copy's events, the finish. */
  handle(event: LoadEvent): void;
  /** Lines printed as they are, before the run starts (what the listing selected and dropped). */
  note(lines: readonly string[]): void;
  /** Leaves the final screen (or the summary of a run cut short). */
  close(): void;
}

export interface AllTagsViewOptions extends ReporterOptions {
  /** `-v`: every blob, manifest and retry too. */
  verbose: boolean;
  /** Where -v lines go when `out` is not a terminal (stdout keeps one line per tag and the summary). */
  err: { write(s: string): boolean };
}

/** How each tag ended (or, on a dry run, would go): one line each on stdout when it is not a terminal. */
const PER_TAG = new Set<LoadEvent['type']>(['image-done', 'image-skipped', 'image-failed', 'image-cancelled', 'image-planned']);
/** Said at once whatever the flags: a stop, a warning. */
const ALWAYS = new Set<LoadEvent['type']>(['run-stopping', 'warning', 'referrers-not-listed', 'referrer-failed']);
/** The run's frame: the summary says it, once. */
const FRAME = new Set<LoadEvent['type']>(['run-started', 'registry-started', 'registry-listed', 'registry-finished', 'run-finished']);

/**
 * On a terminal, the live view of `load` (the target registry's line with its counts of the
 * selected tags, the images being copied with bytes, rate and a bar), failures printed above it, and
 * at the end the registry's final line and the summary. Elsewhere nothing moves: a line per tag on
 * stdout (`copied`, `up to date`, `FAILED`, or on a dry run `would copy`), then the summary; -v lines
 * go to stderr.
 */
export function createAllTagsView(out: ReporterOutput, options: AllTagsViewOptions): AllTagsView {
  const write = (lines: readonly string[]): void => {
    if (lines.length > 0) out.write(lines.map((line) => `${escapeControl(line)}\n`).join(''));
  };
  if (out.isTTY) {
    const live = new LiveReporter(out, { ...options, finalScreen: true });
    return { handle: (event) => live.handle(event), note: write, close: () => live.close() };
  }
  const tally = new RunTally();
  const summary = (now: number): void => write(summaryLines(tally.stats(now)));
  return {
    handle(event) {
      tally.handle(event);
      if (event.type === 'run-finished') {
        summary(event.time);
        return;
      }
      if (FRAME.has(event.type)) return;
      const lines = describeEvent(event) ?? [];
      if (PER_TAG.has(event.type) || ALWAYS.has(event.type)) {
        write(lines);
        return;
      }
      if (options.verbose) for (const line of lines) options.err.write(`  ${escapeControl(line)}\n`);
    },
    note: write,
    close() {
      // A run cut short (an error in the middle) still says how far it got.
      if (tally.active) summary(options.now?.() ?? Date.now());
    },
  };
}
