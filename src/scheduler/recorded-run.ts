import type { RegistryConfig } from '../config/index.js';
import { errorMessage } from '../errors/index.js';
import type { RunStore, RunTrigger } from '../store/index.js';
import { runError, thrownOutcome } from './outcome-summary.js';
import type { RegistryRunner } from './registry-runner.js';
import type { SchedulerEventListener } from './scheduler-events.js';

/** A run a synchronizer has begun: why, for which tick, and its two abort signals. */
export interface StartedRun {
  trigger: RunTrigger;
  /** The tick it was planned for (scheduled runs only). */
  scheduledAt: number | undefined;
  /** Aborts the copies under way. */
  signal: AbortSignal;
  /** A stop has begun: no further image starts. */
  drain: AbortSignal;
  /** Lifts the run's prune guards. */
  pruneConfirm: boolean;
  /** Told whether this server took the run (servers sharing the schedules; see run-request.ts). */
  claimed?: (taken: boolean) => void;
}

export interface RecordedRunDeps {
  store: RunStore;
  runner: RegistryRunner;
  emit: SchedulerEventListener;
  now: () => number;
}

/** A store write that failed is reported, and the run goes on without it (answers undefined). */
export function reportStoreFailure(deps: Pick<RecordedRunDeps, 'emit' | 'now'>, registry: string, error: unknown): undefined {
  const message = errorMessage(error);
  deps.emit({ type: 'sync-store-failed', registry, message, time: deps.now() });
  return undefined;
}

/** Runs `registry` once, recorded in the store from start to finish, and says so in sync-run events. */
export async function recordedRun(registry: RegistryConfig, started: StartedRun, deps: RecordedRunDeps): Promise<void> {
  const { trigger, scheduledAt, signal, drain, pruneConfirm } = started;
  const { store, runner, emit, now } = deps;
  const startedAt = now();
  const runId = await store
    .startRun(registry.hostname, trigger, startedAt)
    .catch((error: unknown) => reportStoreFailure(deps, registry.hostname, error));
  emit({
    type: 'sync-run-started',
    registry: registry.hostname,
    runId,
    trigger,
    ...(scheduledAt === undefined ? {} : { scheduledAt }),
    time: startedAt,
  });
  const outcome = await runner(registry, signal, emit, drain, { runId, pruneConfirm }).catch((error: unknown) =>
    thrownOutcome(registry.hostname, startedAt, error),
  );
  const result = signal.aborted || outcome.cancelled > 0 ? 'cancelled' : outcome.ok ? 'succeeded' : 'failed';
  const endedAt = now();
  const { copied, upToDate, failed, cancelled, bytes } = outcome;
  const skipped = outcome.skipped ?? 0;
  const error = runError(outcome);
  if (runId !== undefined) {
    await store
      .finishRun(runId, {
        endedAt,
        result,
        copied,
        upToDate,
        failed,
        cancelled,
        skipped,
        pruned: outcome.pruned ?? 0,
        bytes,
        error,
        images: outcome.images,
        referrers: outcome.referrers,
      })
      .catch((e: unknown) => reportStoreFailure(deps, registry.hostname, e));
  }
  emit({
    type: 'sync-run-finished',
    registry: registry.hostname,
    runId,
    trigger,
    result,
    copied,
    upToDate,
    failed,
    cancelled,
    skipped,
    bytes,
    durationMs: endedAt - startedAt,
    error,
    referrers: outcome.referrers,
    time: endedAt,
  });
}
