import type { Synchronizer } from '../../scheduler/index.js';
import type { PrunedTag, RunRecord, RunStore, RunSummary, SkippedPrune } from '../../store/index.js';
import { apiTime } from '../distribute/job-view.js';
import { runView, synchronizerView } from '../synchronizer-view.js';
import type { DashboardFeed } from './live-feed.js';
import type { LiveRunView } from './live-run.js';
import { failedStreak, isOverdue, tickAfter } from './overdue.js';

/** How far back the failed-runs streak looks. */
const STREAK_RUNS = 10;

const time = (ms: number): string => apiTime(ms) ?? '';

/** A live run as the API shows it: times as ISO 8601. */
export function liveRunView(run: LiveRunView) {
  return {
    ...run,
    startedAt: time(run.startedAt),
    endedAt: apiTime(run.endedAt),
    images: run.images.map((image) => ({ ...image, startedAt: time(image.startedAt) })),
  };
}

/** A run of the history: its registry and bytes per second beside the usual fields. */
export function historyRunView(run: RunSummary) {
  const seconds = run.endedAt === null ? null : Math.max(run.endedAt - run.startedAt, 1) / 1000;
  return { ...runView(run), registry: run.registry, bytesPerSecond: seconds === null ? null : run.bytes / seconds };
}

export function runImagesView(run: RunRecord) {
  return run.images.map(({ source, target, status, digest, bytes, error, note }) => ({
    source,
    target,
    status,
    digest: digest ?? null,
    bytes,
    error: error ?? null,
    note: note ?? null,
  }));
}

/** A run's deletions and the prunes it held back or failed, oldest first (the ledger answers deletions newest first). */
export function runPrunesView(pruned: readonly PrunedTag[], skipped: readonly SkippedPrune[]) {
  const deleted = pruned.map(({ rule, target, digest, reason, prunedAt }) => ({
    rule,
    target,
    digest,
    outcome: 'deleted' as const,
    reason,
    at: prunedAt,
  }));
  const kept = skipped.map(({ rule, target, digest, outcome, reason, at }) => ({ rule, target, digest, outcome, reason, at }));
  return [...deleted.reverse(), ...kept].sort((a, b) => a.at - b.at).map((p) => ({ ...p, at: time(p.at) }));
}

/** A registry's row of the overview: its synchronizer, when its schedule owes a tick, its warnings, its live run. */
export async function dashboardRow(sync: Synchronizer, store: RunStore, feed: DashboardFeed, now: number) {
  const view = await synchronizerView(sync, store);
  const schedule = sync.registry.syncPeriod;
  const mark = feed.ticks.lastMark(sync.hostname);
  const expectedTick =
    sync.state === 'scheduled' && schedule !== undefined && mark !== undefined ? tickAfter(schedule, sync.timezone, mark) : null;
  const live = feed.runs.view(sync.hostname, now);
  return {
    ...view,
    expectedTick: apiTime(expectedTick),
    overdue: isOverdue(sync.state, expectedTick, now),
    failedStreak: failedStreak(await store.listRuns(sync.hostname, STREAK_RUNS)),
    live: live ? liveRunView(live) : null,
  };
}
