import type { z } from 'zod';
import type {
  dashboardRowSchema,
  historyRunSchema,
  liveRunSchema,
  runDetailSchema,
  runPageSchema,
} from '../../server/dashboard/dashboard-schemas.js';
import type { FeedChanges } from '../../server/dashboard/live-feed.js';
import type { jobListItemSchema } from '../../server/routes/distribute-schemas.js';

/** The API's answers as the page reads them: the types of the server's own schemas, so the two cannot drift. */
export type DashboardRow = z.output<typeof dashboardRowSchema>;
export type LiveRun = z.output<typeof liveRunSchema>;
export type HistoryRun = z.output<typeof historyRunSchema>;
export type RunPage = z.output<(typeof runPageSchema)['response'][200]>;
export type RunDetail = z.output<(typeof runDetailSchema)['response'][200]>;
export type RunImage = RunDetail['images'][number];
export type RunPrune = RunDetail['prunes'][number];
export type Job = z.output<typeof jobListItemSchema>;

export interface Overview {
  time: string;
  registries: DashboardRow[];
}

export interface JobPage {
  jobs: Job[];
  next: string | null;
}

/** One message of GET /api/sync/live. */
export interface LiveMessage {
  time: string;
  runs: LiveRun[];
  changed: FeedChanges;
}

/** The answers of POST /ops (pause, resume, run). */
export interface OpsAnswer {
  hostname: string;
  state: DashboardRow['state'];
  nextRun?: string | null;
  cancelledRun?: boolean;
}
