import type { ReferrerCounts } from '../copy/index.js';
import type { ImageOutcome } from '../load/run-outcome.js';
import type { OwnershipLedger } from './ownership.js';

/** How a run ended. `interrupted`: the process died while it was going. */
export type RunResult = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** What started a run: its cron tick, the first run at start-up, or `action=run`. */
export type RunTrigger = 'schedule' | 'start' | 'manual';

export interface RunSummary {
  id: number;
  registry: string;
  trigger: RunTrigger;
  startedAt: number;
  endedAt: number | null;
  result: RunResult;
  copied: number;
  upToDate: number;
  failed: number;
  /** Images not copied because the run was paused or stopped (not failures). */
  cancelled: number;
  /** Images a platform filter that skips left out (not failures; 0 for runs stored before they were counted). */
  skipped: number;
  /** Target tags pruning deleted (their records: OwnershipLedger.prunedTags). */
  pruned: number;
  bytes: number;
  /** Why the whole run failed (e.g. the syncer script), when it did. */
  error: string | null;
  /** Signatures, attestations and SBOMs that followed its images (all 0 for runs stored before they were counted). */
  referrers: ReferrerCounts;
}

export interface RunRecord extends RunSummary {
  images: ImageOutcome[];
}

export interface RunFinish {
  endedAt: number;
  result: Exclude<RunResult, 'running'>;
  copied: number;
  upToDate: number;
  failed: number;
  /** Defaults to 0. */
  cancelled?: number;
  /** Defaults to 0. */
  skipped?: number;
  /** Defaults to 0. */
  pruned?: number;
  bytes: number;
  error?: string | undefined;
  images: ImageOutcome[];
  /** Defaults to none. */
  referrers?: ReferrerCounts | undefined;
}

/**
 * A run or job that was going when the process died this many times in a row is not started again
 * at the next start: it may be what kills the process (a crash loop under a supervisor).
 */
export const CRASH_LIMIT = 2;

export function crashReason(crashes: number): string {
  return `interrupted by a crash ${crashes} times; not resumed`;
}

/** What closing the runs a dead process left open found. */
export interface InterruptedRuns {
  /** Runs marked `interrupted` (or `failed`, see below). */
  runs: number;
  /**
   * Registries whose last CRASH_LIMIT runs were all interrupted by a crash: the newest of them is
   * marked `failed` with the reason, and the registry gets no run at start.
   */
  notResumed: Array<{ registry: string; runId: number; crashes: number }>;
}

/** A page of a run history, newest first (the dashboard's history). */
export interface RunPage {
  /** One registry's runs; all registries' when absent. */
  registry?: string | undefined;
  limit: number;
  /** Cursor: runs started before this run (the last id of the previous page). */
  before?: number | undefined;
  /** Only runs that failed or were interrupted, or have failed images. */
  failedOnly?: boolean | undefined;
}

export type JobState = 'QUEUED' | 'RUNNING' | 'FINISHED' | 'FAILED';
export const JOB_STATES: readonly JobState[] = ['QUEUED', 'RUNNING', 'FINISHED', 'FAILED'];

export interface JobPage {
  limit: number;
  before?: string | undefined;
  state?: JobState | undefined;
}

/** What happened to one target of a distribute job. */
export interface JobTargetResult {
  endpoint: string;
  outcome: 'finished' | 'skipped' | 'failed';
  error?: { code: string; message: string } | undefined;
}

export interface JobRecord {
  id: string;
  state: JobState;
  /** The request as the store keeps it: opaque JSON, scrubbed of secrets once the job has ended. */
  request: unknown;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  targets: JobTargetResult[];
  /** How many times a process died while this job was running. */
  crashes: number;
}

/**
 * Everything the sync server must not lose on a restart: run history per registry, distribute
 * jobs, and which registries are paused. Asynchronous so an engine other than the embedded SQLite
 * one (a networked database) can implement it unchanged.
 */
export interface RunStore {
  /** Which target tags picture-book wrote from which rule, and what pruning deleted (absent: nothing is ever pruned). */
  readonly ownership?: OwnershipLedger;
  /** `id`: the run's id when the caller chose it (runs shared by several servers); else the store's next. */
  startRun(registry: string, trigger: RunTrigger, startedAt: number, id?: number): Promise<number>;
  finishRun(id: number, finish: RunFinish): Promise<void>;
  /**
   * Runs left `running` by a process that died become `interrupted`; a registry whose last
   * `crashLimit` runs were all interrupted is reported, its newest run marked `failed`.
   */
  closeInterruptedRuns(endedAt: number, crashLimit?: number): Promise<InterruptedRuns>;
  getRun(id: number): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(registry: string, limit: number): Promise<RunSummary[]>;
  registrySummary(registry: string): Promise<{ runs: number; lastRun: RunSummary | undefined }>;
  /** A page of runs, newest first; `more`: older ones remain. Undefined when `before` names no run. */
  listRunPage(page: RunPage): Promise<{ runs: RunSummary[]; more: boolean } | undefined>;

  createJob(id: string, request: unknown, createdAt: number): Promise<void>;
  startJob(id: string, startedAt: number): Promise<void>;
  recordJobTarget(id: string, result: JobTargetResult): Promise<void>;
  /** Ends a job; `request` replaces the stored one (callers pass it scrubbed of secrets). */
  finishJob(id: string, state: 'FINISHED' | 'FAILED', finishedAt: number, request: unknown): Promise<void>;
  /** Puts a RUNNING job back in the queue (its process is stopping); its recorded targets stay. */
  requeueJob(id: string): Promise<void>;
  getJob(id: string): Promise<JobRecord | undefined>;
  /**
   * Jobs a dead process left RUNNING go back to QUEUED with one more crash counted; returns them
   * with their count. Called once at start, before `recoverableJobs`.
   */
  countCrashedJobs(): Promise<Array<{ id: string; crashes: number }>>;
  /**
   * A page of jobs, newest first: at most `limit`, created before the job `before` (a cursor: the
   * last id of the previous page), of one state if given. `more`: older jobs remain. Undefined when
   * `before` names no job.
   */
  listJobs(page: JobPage): Promise<{ jobs: JobRecord[]; more: boolean } | undefined>;
  /** Jobs that were QUEUED or RUNNING when the process last stopped, oldest first. */
  recoverableJobs(): Promise<JobRecord[]>;
  jobCounts(): Promise<Record<JobState, number>>;

  setPaused(registry: string, paused: boolean, at: number): Promise<void>;
  pausedRegistries(): Promise<string[]>;

  /** Deletes ended runs and ended jobs that started / finished before `before`. */
  prune(before: number): Promise<{ runs: number; jobs: number }>;
  close(): Promise<void>;
}
