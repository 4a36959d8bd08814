import type { SharedRunStore } from '../queue/index.js';
import type { LiveRuns } from './dashboard/live-runs.js';

/** How often the counts of this server's runs going on are published for the other servers (at most). */
export const PROGRESS_EVERY_MS = 1_000;

/**
 * Several servers on one queue: the counts of this server's runs going on (images done, bytes
 * moved, as its live view counts them) are published every PROGRESS_EVERY_MS, so the others' run
 * lists, run details and overviews show them progressing, not stuck at 0 until the end. Only the
 * counts: the images in flight and the rate stay on this server's live view. Returns the stop.
 */
export function publishRunProgress(runs: LiveRuns, store: SharedRunStore, now: () => number = Date.now): () => void {
  const timer = setInterval(() => {
    for (const run of runs.views(now())) {
      if (run.phase === 'done' || run.runId === null) continue;
      const { copied, upToDate, failed, cancelled, skipped, bytes } = run;
      store.progress(run.runId, { copied, upToDate, failed, cancelled, skipped, bytes });
    }
  }, PROGRESS_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
