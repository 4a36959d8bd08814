import type Database from 'better-sqlite3';
import type {
  InterruptedRuns,
  JobPage,
  JobRecord,
  JobState,
  JobTargetResult,
  RunFinish,
  RunPage,
  RunRecord,
  RunStore,
  RunSummary,
  RunTrigger,
} from './run-store.js';
import type { OwnershipLedger } from './ownership.js';
import { SqliteOwnershipLedger } from './sqlite-ownership.js';
import { openSqliteDatabase } from './sqlite-database.js';
import { SqliteJobs } from './sqlite-jobs.js';
import { SqlitePausedRegistries } from './sqlite-paused-registries.js';
import { SqliteRetention } from './sqlite-retention.js';
import { SqliteRuns } from './sqlite-runs.js';
import type { ScrubMessage } from './sqlite-tables.js';
import { processScrubber, type SecretScrubber } from '../errors/secret-scrubber.js';

export interface SqliteRunStoreOptions {
  /** Masks secrets in every message before it is written (a registry's error can echo credentials). */
  scrubber?: SecretScrubber;
}

/**
 * The run store in one SQLite file (better-sqlite3: synchronous, in-process; opened by
 * `sqlite-database.ts`). Each group of tables has its own part, with its statements: a new table
 * is a migration in `sqlite-schema.ts`, a part beside these, and its place here.
 */
export class SqliteRunStore implements RunStore {
  #db: Database.Database;
  #runs: SqliteRuns;
  #jobs: SqliteJobs;
  #paused: SqlitePausedRegistries;
  #retention: SqliteRetention;
  readonly ownership: OwnershipLedger;

  private constructor(db: Database.Database, scrubber: SecretScrubber) {
    const scrub: ScrubMessage = (message) => (message === undefined ? null : scrubber.scrub(message));
    this.#db = db;
    this.ownership = new SqliteOwnershipLedger(db);
    this.#runs = new SqliteRuns(db, scrub);
    this.#jobs = new SqliteJobs(db, scrub);
    this.#paused = new SqlitePausedRegistries(db);
    this.#retention = new SqliteRetention(db);
  }

  /** Opens (creating it and its directory if needed) and migrates the database; `:memory:` for tests. */
  static open(file: string, options: SqliteRunStoreOptions = {}): SqliteRunStore {
    return openSqliteDatabase(file, (db) => new SqliteRunStore(db, options.scrubber ?? processScrubber));
  }

  startRun(registry: string, trigger: RunTrigger, startedAt: number, id?: number): Promise<number> {
    return this.#runs.startRun(registry, trigger, startedAt, id);
  }

  finishRun(id: number, finish: RunFinish): Promise<void> {
    return this.#runs.finishRun(id, finish);
  }

  closeInterruptedRuns(endedAt: number, crashLimit?: number): Promise<InterruptedRuns> {
    return this.#runs.closeInterruptedRuns(endedAt, crashLimit);
  }

  getRun(id: number): Promise<RunRecord | undefined> {
    return this.#runs.getRun(id);
  }

  listRuns(registry: string, limit: number): Promise<RunSummary[]> {
    return this.#runs.listRuns(registry, limit);
  }

  registrySummary(registry: string): Promise<{ runs: number; lastRun: RunSummary | undefined }> {
    return this.#runs.registrySummary(registry);
  }

  listRunPage(page: RunPage): Promise<{ runs: RunSummary[]; more: boolean } | undefined> {
    return this.#runs.listRunPage(page);
  }

  createJob(id: string, request: unknown, createdAt: number): Promise<void> {
    return this.#jobs.createJob(id, request, createdAt);
  }

  startJob(id: string, startedAt: number): Promise<void> {
    return this.#jobs.startJob(id, startedAt);
  }

  recordJobTarget(id: string, result: JobTargetResult): Promise<void> {
    return this.#jobs.recordJobTarget(id, result);
  }

  finishJob(id: string, state: 'FINISHED' | 'FAILED', finishedAt: number, request: unknown): Promise<void> {
    return this.#jobs.finishJob(id, state, finishedAt, request);
  }

  requeueJob(id: string): Promise<void> {
    return this.#jobs.requeueJob(id);
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return this.#jobs.getJob(id);
  }

  countCrashedJobs(): Promise<Array<{ id: string; crashes: number }>> {
    return this.#jobs.countCrashedJobs();
  }

  listJobs(page: JobPage): Promise<{ jobs: JobRecord[]; more: boolean } | undefined> {
    return this.#jobs.listJobs(page);
  }

  recoverableJobs(): Promise<JobRecord[]> {
    return this.#jobs.recoverableJobs();
  }

  jobCounts(): Promise<Record<JobState, number>> {
    return this.#jobs.jobCounts();
  }

  setPaused(registry: string, paused: boolean, at: number): Promise<void> {
    return this.#paused.setPaused(registry, paused, at);
  }

  pausedRegistries(): Promise<string[]> {
    return this.#paused.pausedRegistries();
  }

  prune(before: number): Promise<{ runs: number; jobs: number }> {
    return this.#retention.prune(before);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
