export type {
  InterruptedRuns,
  JobPage,
  JobRecord,
  JobState,
  JobTargetResult,
  RunFinish,
  RunPage,
  RunRecord,
  RunResult,
  RunStore,
  RunSummary,
  RunTrigger,
} from './run-store.js';
export { CRASH_LIMIT, crashReason, JOB_STATES } from './run-store.js';
export { SqliteRunStore } from './sqlite-run-store.js';
export { StoreError } from './store-error.js';
export type { OwnedReferrer, OwnedTag, OwnershipLedger, PrunedTag, SkippedPrune } from './ownership.js';
