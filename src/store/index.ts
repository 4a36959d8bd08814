export type { JobRecord, JobState, JobTargetResult, RunFinish, RunRecord, RunResult, RunStore, RunSummary, RunTrigger } from './run-store.js';
export { JOB_STATES } from './run-store.js';
export { SqliteRunStore } from './sqlite-run-store.js';
export { StoreError } from './store-error.js';
