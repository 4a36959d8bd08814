import type { LoadEvent } from '../load/events.js';
import { describeEvent, registryOf } from './event-lines.js';
import type { Reporter, ReporterOptions, ReporterOutput } from './reporter.js';
import { RunTally } from './run-tally.js';
import { summaryLines } from './summary.js';
import { escapeControl } from './terminal.js';

/** One timestamped line per meaningful event, and a summary block when a run finishes. */
export class PlainReporter implements Reporter {
  #out: ReporterOutput;
  #now: () => number;
  #tally = new RunTally();
  #verbose: boolean;

  constructor(out: ReporterOutput, options: ReporterOptions = {}) {
    this.#out = out;
    this.#now = options.now ?? Date.now;
    this.#verbose = options.verbose === true;
  }

  handle(event: LoadEvent): void {
    this.#tally.handle(event);
    const lines = describeEvent(event, { verbose: this.#verbose });
    if (!lines) return;
    const registry = registryOf(event);
    const prefix = `${new Date(event.time).toISOString()} ${registry ? `[${registry}] ` : ''}`;
    // Continuation lines (a script's stderr) are indented under the first, without a prefix.
    let text =
      `${prefix}${escapeControl(lines[0] ?? '')}\n` +
      lines
        .slice(1)
        .map((l) => `${escapeControl(l)}\n`)
        .join('');
    if (event.type === 'run-finished') {
      text += this.#summary(event.time);
      this.#tally = new RunTally();
    }
    this.#out.write(text);
  }

  close(): void {
    // A run cut short (Ctrl-C, a crash upstream) still deserves its summary.
    if (this.#tally.active) this.#out.write(this.#summary(this.#now()));
  }

  #summary(now: number): string {
    return summaryLines(this.#tally.stats(now))
      .map((l) => `${escapeControl(l)}\n`)
      .join('');
  }
}
