import type { RunResult, RunTrigger } from '../store/index.js';
import type { LoadEvent } from '../load/events.js';
import type { ImageCounts } from '../load/run-counts.js';

/**
 * What the scheduler does, as typed events (it logs nothing itself). Run and copy events of each
 * registry's runs pass through as well.
 */
export type SchedulerEvent =
  | { type: 'sync-scheduled'; registry: string; schedule: string; nextRun: number | null; time: number }
  /** `scheduledAt`: the tick a scheduled run is for (when the schedule planned it, not when it fired). */
  | { type: 'sync-run-started'; registry: string; runId: number | undefined; trigger: RunTrigger; scheduledAt?: number; time: number }
  /** `cancelled`: images not copied because the run was paused or stopped (not failures). */
  | ({
      type: 'sync-run-finished';
      registry: string;
      runId: number | undefined;
      trigger: RunTrigger;
      result: Exclude<RunResult, 'running' | 'interrupted'>;
      durationMs: number;
      error: string | undefined;
      time: number;
    } & ImageCounts)
  /** A tick came while the previous run was still going: no second run was started. */
  | { type: 'sync-tick-skipped'; registry: string; skippedTicks: number; time: number }
  | { type: 'sync-paused'; registry: string; cancelledRun: boolean; time: number }
  | { type: 'sync-resumed'; registry: string; nextRun: number | null; time: number }
  | { type: 'sync-removed'; registry: string; time: number }
  /**
   * Several `sync` servers share a queue: another one took this tick (`scheduledAt`), or is running
   * the registry now. This server starts no run; the other records it in its own history.
   */
  | { type: 'sync-run-elsewhere'; registry: string; trigger: RunTrigger; scheduledAt: number | null; time: number }
  /** The history store failed; the run itself carries on. */
  | { type: 'sync-store-failed'; registry: string; message: string; time: number };

export type SchedulerEventListener = (event: SchedulerEvent | LoadEvent) => void;
