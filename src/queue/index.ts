export { CopyQueue, type QueueSettingsWithUrl } from './copy-queue.js';
export { CopyWorker, type CopyWorkerOptions } from './copy-worker.js';
export { ScheduleClaims } from './schedule-claims.js';
export type { QueueEvent, QueueEventListener } from './queue-events.js';
export { shownUrl } from './redis-connection.js';
export { SharedRuns } from './shared-runs.js';
export { SharedRunStore, type RunProgress } from './shared-run-store.js';
