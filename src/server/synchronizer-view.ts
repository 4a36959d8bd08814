import type { PictureBookConfig } from '../config/index.js';
import { redactConfig } from '../config/index.js';
import type { Synchronizer } from '../scheduler/index.js';
import type { RunStore, RunSummary } from '../store/index.js';
import { apiTime } from './distribute/job-view.js';

export function runView(run: RunSummary) {
  return {
    id: run.id,
    trigger: run.trigger,
    startedAt: apiTime(run.startedAt),
    endedAt: apiTime(run.endedAt),
    durationMs: run.endedAt === null ? null : run.endedAt - run.startedAt,
    result: run.result,
    copied: run.copied,
    upToDate: run.upToDate,
    failed: run.failed,
    cancelled: run.cancelled,
    pruned: run.pruned,
    bytes: run.bytes,
    error: run.error,
    referrers: run.referrers,
  };
}

/** An active synchronizer for `/list?type=active` and `details`: live state plus its stored history. */
export async function synchronizerView(sync: Synchronizer, store: RunStore) {
  const { runs, lastRun } = await store.registrySummary(sync.hostname);
  return {
    hostname: sync.hostname,
    state: sync.state,
    schedule: sync.registry.syncPeriod,
    timezone: sync.timezone,
    nextRun: apiTime(sync.nextRun()?.getTime() ?? null),
    runs,
    skippedTicks: sync.skippedTicks,
    lastRun: lastRun ? runView(lastRun) : null,
  };
}

/** The configured registries with every secret replaced, as the config module redacts them. */
export function redactedRegistries(config: PictureBookConfig): Array<Record<string, unknown> & { hostname: string }> {
  const redacted = redactConfig(config) as { registries?: Array<Record<string, unknown> & { hostname: string }> };
  return redacted.registries ?? [];
}

/** The configuration's `sources:` (TLS settings and auth per source host), auth redacted. */
export function redactedSources(config: PictureBookConfig): Record<string, unknown> {
  return (redactConfig(config) as { sources?: Record<string, unknown> }).sources ?? {};
}
