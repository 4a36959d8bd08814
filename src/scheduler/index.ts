export { Scheduler, type ReloadSummary, type ScheduleSettings, type SchedulerOptions } from './scheduler.js';
export { Synchronizer, type SynchronizerState } from './synchronizer.js';
export type { RunClaim, RunClaims } from './run-claims.js';
export { loadRunner, type CopiesElsewhere, type RegistryRunner } from './registry-runner.js';
export { cronTicker, type Ticker, type TickerFactory } from './ticker.js';
export { ScheduleError } from './schedule-error.js';
export type { SchedulerEvent, SchedulerEventListener } from './scheduler-events.js';
export { requestRun, type RunRequest } from './run-request.js';
