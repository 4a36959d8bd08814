import type { ImageOutcome } from '../load/run-outcome.js';
import type { JobTargetResult, RunResult, RunSummary, RunTrigger } from './run-store.js';

/** Rows as SQLite returns them, and their conversion to the store's records. */
export interface RunRow {
  id: number;
  registry: string;
  trigger: string;
  started_at: number;
  ended_at: number | null;
  result: string;
  copied: number;
  up_to_date: number;
  failed: number;
  cancelled: number;
  skipped: number;
  pruned: number;
  bytes: number;
  error: string | null;
  referrers_copied: number;
  referrers_present: number;
  referrers_failed: number;
}

export interface ImageRow {
  source: string;
  target: string;
  status: string;
  digest: string | null;
  bytes: number;
  error_code: string | null;
  error_message: string | null;
  /** Why it was skipped (a platform filter's note); null before notes were kept. */
  note: string | null;
}

export interface JobRow {
  id: string;
  state: string;
  request: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  crashes: number;
}

export interface JobTargetRow {
  endpoint: string;
  outcome: string;
  error_code: string | null;
  error_message: string | null;
}

export function runSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    registry: row.registry,
    trigger: row.trigger as RunTrigger,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    result: row.result as RunResult,
    copied: row.copied,
    upToDate: row.up_to_date,
    failed: row.failed,
    cancelled: row.cancelled,
    skipped: row.skipped,
    pruned: row.pruned,
    bytes: row.bytes,
    error: row.error,
    referrers: { copied: row.referrers_copied, present: row.referrers_present, failed: row.referrers_failed },
  };
}

export function imageOutcome(row: ImageRow): ImageOutcome {
  return {
    source: row.source,
    target: row.target,
    status: row.status as ImageOutcome['status'],
    digest: row.digest ?? undefined,
    bytes: row.bytes,
    error: row.error_code !== null ? { code: row.error_code, message: row.error_message ?? '' } : undefined,
    ...(row.note !== null ? { note: row.note } : {}),
  };
}

export function jobTarget(row: JobTargetRow): JobTargetResult {
  return {
    endpoint: row.endpoint,
    outcome: row.outcome as JobTargetResult['outcome'],
    ...(row.error_code !== null ? { error: { code: row.error_code, message: row.error_message ?? '' } } : {}),
  };
}
