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
    skipped: run.skipped,
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
  return configuredView(config).registries;
}

interface RedactedView {
  registries?: Array<Record<string, unknown> & { hostname: string }>;
  sources?: Record<string, unknown>;
  targets?: Record<string, unknown>;
  notifications?: { webhooks: Array<Record<string, unknown>> };
}

/**
 * `/list?type=configured`: what the file says about where images go and who is told, every secret
 * replaced as the config module redacts it (`targets:` and `notifications:` only when written).
 */
export function configuredView(config: PictureBookConfig) {
  const { registries = [], sources = {}, targets, notifications } = redactConfig(config) as RedactedView;
  return { file: config.file, registries, sources, ...(targets ? { targets } : {}), ...(notifications ? { notifications } : {}) };
}
