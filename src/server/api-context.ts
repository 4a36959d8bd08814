import type { PictureBookConfig } from '../config/index.js';
import type { SecretScrubber } from '../errors/secret-scrubber.js';
import type { Scheduler } from '../scheduler/index.js';
import type { RunStore } from '../store/index.js';
import type { DashboardFeed } from './dashboard/live-feed.js';
import type { DistributeJobs } from './distribute/distribute-jobs.js';
import type { SyncMetrics } from './metrics/sync-metrics.js';
import type { ServiceEvent } from './service-events.js';

/** What the HTTP API reads and drives. The configuration is read per request: reloads apply at once. */
export interface ApiContext {
  config: () => PictureBookConfig;
  scheduler: Scheduler;
  store: RunStore;
  jobs: Pick<DistributeJobs, 'submit'>;
  metrics: SyncMetrics;
  emit: (event: ServiceEvent) => void;
  /** The dashboard's live runs and schedule ticks, fed with every event of the server. */
  dashboard: DashboardFeed;
  /** Masks secrets in every response body (default: the process's scrubber). */
  scrubber?: SecretScrubber;
  /** Whether the queue's Redis answers (scale-out); absent: no queue. */
  queueReachable?: () => boolean;
  /** Whether another process took this server's name in the queue (scale-out); absent: no queue. */
  serverNameLost?: () => boolean;
  /** True while the server is still starting (recovering jobs, scheduling): requests get 503. */
  starting?: () => boolean;
}
