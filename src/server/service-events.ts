import type { ConfigProblem } from '../errors/index.js';
import type { ConfigDiff } from './config-diff.js';

/** Events of the sync server around the scheduler's: API, jobs, configuration reloads. */
export type ServiceEvent =
  | { type: 'api-listening'; url: string; auth: boolean; time: number }
  | { type: 'api-request'; method: string; route: string; path: string; status: number; durationMs: number; time: number }
  | { type: 'job-queued'; id: string; targets: number; time: number }
  | { type: 'job-started'; id: string; time: number }
  | {
      type: 'job-target-finished';
      id: string;
      endpoint: string;
      outcome: 'finished' | 'skipped' | 'failed';
      error?: { code: string; message: string } | undefined;
      time: number;
    }
  | { type: 'job-finished'; id: string; state: 'FINISHED' | 'FAILED'; time: number }
  /** The process is stopping: the job goes back to the queue and runs again on the next start. */
  | { type: 'job-requeued'; id: string; time: number }
  | { type: 'jobs-recovered'; ids: string[]; time: number }
  | ({ type: 'config-reloaded'; file: string; kept: string[]; time: number } & ConfigDiff)
  | { type: 'config-rejected'; file: string; problems: Array<Pick<ConfigProblem, 'line' | 'path' | 'message'>>; time: number }
  | { type: 'history-pruned'; runs: number; jobs: number; time: number }
  | { type: 'interrupted-runs-closed'; runs: number; time: number }
  /** A run or job was going when the process died CRASH_LIMIT times in a row: it is not started again. */
  | { type: 'work-not-resumed'; kind: 'run'; registry: string; runId: number; crashes: number; time: number }
  | { type: 'work-not-resumed'; kind: 'job'; id: string; crashes: number; time: number }
  | { type: 'server-warning'; message: string; time: number }
  /**
   * Another process took this server's name in the queue (`server`, of queue `queue`) while its alive
   * key had lapsed: this server no longer publishes new runs and /healthz answers 503 until it is restarted.
   */
  | { type: 'server-name-lost'; server: string; queue: string; time: number }
  /**
   * A webhook was not told of a notification (`notification`: its event, `id` its id; `webhook`: its
   * key path and origin, never its path, query or headers).
   */
  | {
      type: 'notification-failed';
      webhook: string;
      notification: string;
      id: string;
      registry: string;
      attempts: number;
      reason: string;
      time: number;
    }
  | { type: 'server-stopping'; graceMs: number; time: number }
  | { type: 'server-stopped'; time: number };
