import type Database from 'better-sqlite3';
import { SqliteTables, type ScrubMessage } from './sqlite-tables.js';
import type { JobPage, JobRecord, JobState, JobTargetResult } from './run-store.js';
import { JOB_STATES } from './run-store.js';
import { jobTarget, type JobRow, type JobTargetRow } from './sqlite-rows.js';
import { StoreError } from './store-error.js';

function prepareStatements(db: Database.Database) {
  return {
    insertJob: db.prepare<[string, string, number]>(`INSERT INTO jobs (id, state, request, created_at) VALUES (?, 'QUEUED', ?, ?)`),
    startJob: db.prepare<[number, string]>(`UPDATE jobs SET state = 'RUNNING', started_at = coalesce(started_at, ?) WHERE id = ?`),
    insertJobTarget: db.prepare(`INSERT INTO job_targets (job_id, position, endpoint, outcome, error_code, error_message)
      VALUES (@jobId, (SELECT count(*) FROM job_targets WHERE job_id = @jobId), @endpoint, @outcome, @errorCode, @errorMessage)`),
    finishJob: db.prepare<[string, number, string, string]>(`UPDATE jobs SET state = ?, finished_at = ?, request = ? WHERE id = ?`),
    requeueJob: db.prepare<[string]>(`UPDATE jobs SET state = 'QUEUED' WHERE id = ? AND state = 'RUNNING'`),
    crashedJobs: db.prepare<[], { id: string; crashes: number }>(
      `UPDATE jobs SET state = 'QUEUED', crashes = crashes + 1 WHERE state = 'RUNNING' RETURNING id, crashes`,
    ),
    getJob: db.prepare<[string], JobRow>(`SELECT * FROM jobs WHERE id = ?`),
    jobTargets: db.prepare<[string], JobTargetRow>(`SELECT * FROM job_targets WHERE job_id = ? ORDER BY position`),
    jobPosition: db.prepare<[string], { created_at: number; rowid: number }>(`SELECT created_at, rowid FROM jobs WHERE id = ?`),
    listJobs: db.prepare<{ createdAt: number | null; rowid: number | null; state: string | null; limit: number }, JobRow>(
      `SELECT * FROM jobs WHERE (@createdAt IS NULL OR (created_at, rowid) < (@createdAt, @rowid)) AND (@state IS NULL OR state = @state)
       ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
    ),
    recoverableJobs: db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE state IN ('QUEUED', 'RUNNING') ORDER BY created_at, rowid`),
    jobCounts: db.prepare<[], { state: string; n: number }>(`SELECT state, count(*) AS n FROM jobs GROUP BY state`),
  };
}

/** Distribute jobs and each target's result, in the history database (tables jobs, job_targets). */
export class SqliteJobs extends SqliteTables<ReturnType<typeof prepareStatements>> {
  constructor(db: Database.Database, scrub: ScrubMessage) {
    super(db, prepareStatements, scrub);
  }

  async createJob(id: string, request: unknown, createdAt: number): Promise<void> {
    this.sql.insertJob.run(id, JSON.stringify(request), createdAt);
  }

  async startJob(id: string, startedAt: number): Promise<void> {
    this.#mustChange(this.sql.startJob.run(startedAt, id).changes, id);
  }

  async recordJobTarget(id: string, result: JobTargetResult): Promise<void> {
    this.sql.insertJobTarget.run({
      jobId: id,
      endpoint: result.endpoint,
      outcome: result.outcome,
      errorCode: result.error?.code ?? null,
      errorMessage: this.scrub(result.error?.message),
    });
  }

  async finishJob(id: string, state: 'FINISHED' | 'FAILED', finishedAt: number, request: unknown): Promise<void> {
    this.#mustChange(this.sql.finishJob.run(state, finishedAt, JSON.stringify(request), id).changes, id);
    // The request with its credentials is still in the WAL until a checkpoint copies the scrubbed
    // page over it; TRUNCATE also empties the WAL file.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async requeueJob(id: string): Promise<void> {
    this.sql.requeueJob.run(id);
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = this.sql.getJob.get(id);
    return row ? this.#jobRecord(row) : undefined;
  }

  async countCrashedJobs(): Promise<Array<{ id: string; crashes: number }>> {
    return this.sql.crashedJobs.all();
  }

  async listJobs(page: JobPage): Promise<{ jobs: JobRecord[]; more: boolean } | undefined> {
    const from = page.before === undefined ? undefined : this.sql.jobPosition.get(page.before);
    if (page.before !== undefined && !from) return undefined;
    const rows = this.sql.listJobs.all({
      createdAt: from?.created_at ?? null,
      rowid: from?.rowid ?? null,
      state: page.state ?? null,
      limit: page.limit + 1,
    });
    return { jobs: rows.slice(0, page.limit).map((row) => this.#jobRecord(row)), more: rows.length > page.limit };
  }

  async recoverableJobs(): Promise<JobRecord[]> {
    return this.sql.recoverableJobs.all().map((row) => this.#jobRecord(row));
  }

  async jobCounts(): Promise<Record<JobState, number>> {
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const { state, n } of this.sql.jobCounts.all()) counts[state as JobState] = n;
    return counts;
  }

  #jobRecord(row: JobRow): JobRecord {
    return {
      id: row.id,
      state: row.state as JobState,
      request: JSON.parse(row.request) as unknown,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      targets: this.sql.jobTargets.all(row.id).map(jobTarget),
      crashes: row.crashes,
    };
  }

  #mustChange(changes: number, id: string): void {
    if (changes === 0) throw new StoreError('STORE_NOT_FOUND', `no distribute job ${id}`);
  }
}
