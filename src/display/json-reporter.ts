import type { LoadEvent } from '../load/events.js';
import type { Reporter, ReporterOutput } from './reporter.js';

/** At most one blob-progress line per blob per this many ms of event time. */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * One JSON object per line per event, `time` as an ISO string, for log shippers and scripts.
 * blob-progress is thinned (one per blob per second, and always the last), as a large layer
 * would otherwise flood the log.
 */
export class JsonReporter implements Reporter {
  #out: ReporterOutput;
  /** Event time of the last printed progress line, per blob of a target. */
  #lastProgress = new Map<string, number>();

  constructor(out: ReporterOutput) {
    this.#out = out;
  }

  handle(event: LoadEvent): void {
    if (event.type === 'blob-progress' || event.type === 'blob-done') {
      const key = `${event.registry}\0${event.target}\0${event.digest}`;
      if (event.type === 'blob-done') this.#lastProgress.delete(key);
      else {
        const last = this.#lastProgress.get(key);
        const final = event.transferred >= event.size;
        if (!final && last !== undefined && event.time - last < PROGRESS_INTERVAL_MS) return;
        if (final) this.#lastProgress.delete(key);
        else this.#lastProgress.set(key, event.time);
      }
    }
    this.#out.write(`${JSON.stringify({ ...event, time: new Date(event.time).toISOString() })}\n`);
  }

  close(): void {
    this.#lastProgress.clear();
  }
}
