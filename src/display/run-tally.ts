import type { LoadEvent } from '../load/events.js';
import { RunCounter } from '../load/run-counts.js';
import { scriptFailureSummary } from '../load/run-outcome.js';
import { invalidLineSubject } from './event-lines.js';
import type { Failure, SummaryStats } from './summary.js';

/**
 * One run's summary block from its events: the counts are a RunCounter's, the failures are
 * remembered here because run-finished carries only counts. Counts of run-finished win over our
 * own when it arrives; ours stand in when a run is cut short.
 */
export class RunTally {
  #active = false;
  #startedAt: number | undefined;
  #dryRun = false;
  #counts = new RunCounter();
  #failures: Failure[] = [];
  #pruned = 0;
  #skips: Failure[] = [];
  #finished: Extract<LoadEvent, { type: 'run-finished' }> | undefined;

  /** A run has begun (or its events arrived) and has not finished yet. */
  get active(): boolean {
    return this.#active;
  }

  handle(event: LoadEvent): void {
    if (event.type === 'run-started') {
      this.#reset();
      this.#dryRun = event.dryRun;
    }
    // A warning or retry between the runs of a sync does not make a run.
    if (event.type === 'warning' || event.type === 'retry' || event.type === 'run-stopping') return;
    this.#startedAt ??= event.time;
    this.#active = event.type !== 'run-finished';
    this.#counts.addEvent(event);
    switch (event.type) {
      case 'image-skipped':
        if (event.reason === 'platform') this.#skips.push(imageProblem(event, event.note ?? ''));
        break;
      case 'image-failed':
        this.#failures.push(imageProblem(event, event.error.message));
        break;
      case 'image-planned':
        if (event.action === 'error') this.#failures.push(imageProblem(event, event.message ?? 'unknown error'));
        break;
      case 'registry-script-failed':
        this.#failures.push({ registry: event.registry, kind: 'list', subject: scriptFailureSummary(event), reason: '' });
        break;
      case 'registry-line-invalid':
        this.#failures.push({ registry: event.registry, kind: 'list', subject: invalidLineSubject(event), reason: event.message });
        break;
      case 'image-retry-pass': {
        // Tried again: a failure stays in the summary only if the retry fails too.
        const retried = new Set(event.images.map((i) => `${i.source} -> ${i.target}`));
        this.#failures = this.#failures.filter((f) => f.kind !== 'image' || f.registry !== event.registry || !retried.has(f.subject));
        break;
      }
      case 'prune':
        // Tags: a referrer deleted with one is logged on its own, not counted as another tag.
        if ((event.action === 'deleted' || event.action === 'would-delete') && event.referrerOf === undefined) this.#pruned++;
        break;
      case 'selection-problem':
        if (event.severity === 'error') this.#failures.push({ registry: event.registry, kind: 'list', subject: event.message, reason: '' });
        break;
      case 'run-finished':
        this.#finished = event;
        this.#counts.settle(event);
        break;
    }
  }

  stats(now: number): SummaryStats {
    const { copied, upToDate, failed, cancelled, skipped, scriptFailures, invalidLines, selectionErrors, bytes, wouldCopy } = this.#counts;
    return {
      copied,
      upToDate,
      failed,
      ...(skipped > 0 ? { skipped, skips: [...this.#skips] } : {}),
      cancelled,
      scriptFailures,
      invalidLines,
      selectionErrors,
      bytes,
      durationMs: this.#finished?.durationMs ?? Math.max(0, now - (this.#startedAt ?? now)),
      dryRun: this.#dryRun,
      wouldCopy,
      pruned: this.#pruned,
      referrers: { ...this.#counts.referrers },
      failures: [...this.#failures],
    };
  }

  #reset(): void {
    this.#startedAt = undefined;
    this.#counts = new RunCounter();
    this.#failures = [];
    this.#pruned = 0;
    this.#skips = [];
    this.#finished = undefined;
  }
}

/** One image's problem (a failure, or a skip worth listing) as the summary lists it. */
function imageProblem(event: { registry: string; source: string; target: string }, reason: string): Failure {
  return { registry: event.registry, kind: 'image', subject: `${event.source} -> ${event.target}`, reason };
}
