import type { SyncEvent } from '../sync/events.js';
import { scriptFailureSummary } from '../sync/run-outcome.js';
import { invalidLineSubject } from './event-lines.js';
import type { Failure, SummaryStats } from './summary.js';

/**
 * Adds up one run from its events, for the summary block: the failures are remembered here
 * because run-finished carries only counts. Counts of run-finished win over our own when it
 * arrives; ours stand in when a run is cut short.
 */
export class RunTally {
  #active = false;
  #startedAt: number | undefined;
  #dryRun = false;
  #copied = 0;
  #upToDate = 0;
  #failed = 0;
  #cancelled = 0;
  #scriptFailures = 0;
  #invalidLines = 0;
  #wouldCopy = 0;
  #bytes = 0;
  #failures: Failure[] = [];
  #finished: Extract<SyncEvent, { type: 'run-finished' }> | undefined;

  /** A run has begun (or its events arrived) and has not finished yet. */
  get active(): boolean {
    return this.#active;
  }

  handle(event: SyncEvent): void {
    if (event.type === 'run-started') {
      this.#reset();
      this.#dryRun = event.dryRun;
    }
    // A warning or retry between the runs of a sync does not make a run.
    if (event.type === 'warning' || event.type === 'retry' || event.type === 'run-stopping') return;
    this.#startedAt ??= event.time;
    this.#active = event.type !== 'run-finished';
    switch (event.type) {
      case 'image-done':
        this.#copied++;
        this.#bytes += event.bytes;
        break;
      case 'image-skipped':
        this.#upToDate++;
        break;
      case 'image-failed':
        this.#failed++;
        this.#failures.push({ registry: event.registry, kind: 'image', subject: `${event.source} -> ${event.target}`, reason: event.error.message });
        break;
      case 'image-cancelled':
        // Not a failure: it is counted, not listed among the failures.
        this.#cancelled++;
        break;
      case 'image-planned':
        if (event.action === 'copy') this.#wouldCopy++;
        else if (event.action === 'up-to-date') this.#upToDate++;
        else {
          this.#failed++;
          this.#failures.push({ registry: event.registry, kind: 'image', subject: `${event.source} -> ${event.target}`, reason: event.message ?? 'unknown error' });
        }
        break;
      case 'registry-script-failed':
        this.#scriptFailures++;
        this.#failures.push({ registry: event.registry, kind: 'list', subject: scriptFailureSummary(event), reason: '' });
        break;
      case 'registry-line-invalid':
        this.#invalidLines++;
        this.#failures.push({ registry: event.registry, kind: 'list', subject: invalidLineSubject(event), reason: event.message });
        break;
      case 'run-finished':
        this.#finished = event;
        break;
    }
  }

  stats(now: number): SummaryStats {
    const f = this.#finished;
    return {
      copied: f?.copied ?? this.#copied,
      upToDate: f?.upToDate ?? this.#upToDate,
      failed: f?.failed ?? this.#failed,
      cancelled: f?.cancelled ?? this.#cancelled,
      scriptFailures: f?.scriptFailures ?? this.#scriptFailures,
      invalidLines: f?.invalidLines ?? this.#invalidLines,
      bytes: f?.bytes ?? this.#bytes,
      durationMs: f?.durationMs ?? Math.max(0, now - (this.#startedAt ?? now)),
      dryRun: this.#dryRun,
      wouldCopy: this.#wouldCopy,
      failures: [...this.#failures],
    };
  }

  #reset(): void {
    this.#startedAt = undefined;
    this.#copied = this.#upToDate = this.#failed = this.#cancelled = this.#scriptFailures = this.#invalidLines = this.#wouldCopy = this.#bytes = 0;
    this.#failures = [];
    this.#finished = undefined;
  }
}
