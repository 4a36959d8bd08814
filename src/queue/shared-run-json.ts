import type { RunRecord, RunSummary } from '../store/index.js';
import type { SharedRunSummary } from './shared-runs.js';

/** Counts an older server did not publish yet, as its own store reads them for runs stored before they were counted. */
const ADDED_LATER = { skipped: 0, referrers: { copied: 0, present: 0, failed: 0 } } satisfies Partial<RunSummary>;

/**
 * A run summary another `sync` server published (JSON in Redis). Servers of different versions may
 * share one queue during an upgrade: a count an older one did not know of reads as 0, as the API
 * requires every count.
 */
export function parseSharedSummary(text: string): SharedRunSummary {
  return { ...ADDED_LATER, ...(JSON.parse(text) as Partial<SharedRunSummary>) } as SharedRunSummary;
}

/** A run record another server published, with the counts an older one lacked read as 0. */
export function parseSharedRecord(text: string): RunRecord {
  const record = { ...ADDED_LATER, ...(JSON.parse(text) as Partial<RunRecord>) };
  return { ...record, images: record.images ?? [] } as RunRecord;
}
