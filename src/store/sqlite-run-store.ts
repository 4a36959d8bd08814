import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
import { CRASH_LIMIT, crashReason, JOB_STATES } from './run-store.js';
import { migrate } from './sqlite-schema.js';
import type { OwnershipLedger } from './ownership.js';
import { SqliteOwnershipLedger } from './sqlite-ownership.js';
import { imageOutcome, jobTarget, runSummary, type ImageRow, type JobRow, type JobTargetRow, type RunRow } from './sqlite-rows.js';
import { checkStateFile } from './state-file.js';
import { StoreError } from './store-error.js';
import { errorMessage } from '../errors/index.js';
import { processScrubber, type SecretScrubber } from '../errors/secret-scrubber.js';

export interface SqliteRunStoreOptions {
  /** Masks secrets in every message before it is written (a registry's error can echo credentials). */
  scrubber?: SecretScrubber;
}

/** Prepared once per database: SQLite compiles each statement a single time. */
function prepareStatements(db: Database.Database) {
  return {
    insertRun: db.prepare<[number | null, string, string, number]>(
      `INSERT INTO runs (id, registry, trigger, started_at, result) VALUES (?, ?, ?, ?, 'running')`,
    ),
    finishRun: db.prepare(
      `UPDATE runs SET ended_at = @endedAt, result = @result, copied = @copied, up_to_date = @upToDate, failed = @failed, cancelled = @cancelled, pruned = @pruned, bytes = @bytes, error = @error, referrers_copied = @referrersCopied, referrers_present = @referrersPresent, referrers_failed = @referrersFailed WHERE id = @id`,
    ),
    insertImage: db.prepare(
      `INSERT INTO run_images (run_id, source, target, status, digest, bytes, error_code, error_message) VALUES (@runId, @source, @target, @status, @digest, @bytes, @errorCode, @errorMessage)`,
    ),
    runningRuns: db.prepare<[], { registry: string }>(`SELECT DISTINCT registry FROM runs WHERE result = 'running' ORDER BY registry`),
    interruptRuns: db.prepare<[number]>(`UPDATE runs SET result = 'interrupted', ended_at = ? WHERE result = 'running'`),
    latestResults: db.prepare<[string, number], { id: number; result: string }>(
      `SELECT id, result FROM runs WHERE registry = ? ORDER BY started_at DESC, id DESC LIMIT ?`,
    ),
    failRun: db.prepare<[string, number]>(`UPDATE runs SET result = 'failed', error = ? WHERE id = ?`),
    getRun: db.prepare<[number], RunRow>(`SELECT * FROM runs WHERE id = ?`),
    runImages: db.prepare<[number], ImageRow>(`SELECT * FROM run_images WHERE run_id = ? ORDER BY rowid`),
    listRuns: db.prepare<[string, number], RunRow>(`SELECT * FROM runs WHERE registry = ? ORDER BY started_at DESC, id DESC LIMIT ?`),
    countRuns: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM runs WHERE registry = ?`),
    runPosition: db.prepare<[number], { started_at: number; id: number }>(`SELECT started_at, id FROM runs WHERE id = ?`),
    runPage: db.prepare<
      { registry: string | null; failedOnly: number; startedAt: number | null; id: number | null; limit: number },
      RunRow
    >(
      `SELECT * FROM runs WHERE (@registry IS NULL OR registry = @registry)
       AND (@failedOnly = 0 OR result IN ('failed', 'interrupted') OR failed > 0)
       AND (@startedAt IS NULL OR (started_at, id) < (@startedAt, @id))
       ORDER BY started_at DESC, id DESC LIMIT @limit`,
    ),
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
    pause: db.prepare<[string, number]>(
      `INSERT INTO paused_registries (registry, paused_at) VALUES (?, ?) ON CONFLICT (registry) DO NOTHING`,
    ),
    unpause: db.prepare<[string]>(`DELETE FROM paused_registries WHERE registry = ?`),
    paused: db.prepare<[], { registry: string }>(`SELECT registry FROM paused_registries ORDER BY registry`),
    pruneRuns: db.prepare<[number]>(`DELETE FROM runs WHERE result != 'running' AND started_at < ?`),
    pruneJobs: db.prepare<[number]>(`DELETE FROM jobs WHERE state IN ('FINISHED', 'FAILED') AND finished_at < ?`),
    prunePruned: db.prepare<[number]>(`DELETE FROM pruned_tags WHERE pruned_at < ?`),
  };
}

/**
 * The WAL holds recent writes (queued jobs' auth blocks) until a checkpoint. SQLite creates the
 * -wal and -shm files with the database file's mode, but ones left by a crash (or an older,
 * world-readable database) keep theirs: they are tightened once the database is open.
 */
function restrictCompanions(file: string): void {
  for (const suffix of ['-wal', '-shm', '-journal']) {
    // Never through a link or onto anything but a plain file.
    if (existsSync(file + suffix) && lstatSync(file + suffix).isFile()) chmodSync(file + suffix, 0o600);
  }
}

/**
 * The run store in one SQLite file (better-sqlite3: synchronous, in-process). WAL lets the API
 * read while a run writes. The file holds queued jobs' credentials until they end, so it is
 * created readable by its owner only.
 */
export class SqliteRunStore implements RunStore {
  #db: Database.Database;
  #sql: ReturnType<typeof prepareStatements>;
  #scrubber: SecretScrubber;
  readonly ownership: OwnershipLedger;

  private constructor(db: Database.Database, scrubber: SecretScrubber) {
    this.#db = db;
    this.ownership = new SqliteOwnershipLedger(db);
    this.#sql = prepareStatements(db);
    this.#scrubber = scrubber;
  }

  /** Opens (creating it and its directory if needed) and migrates the database; `:memory:` for tests. */
  static open(file: string, options: SqliteRunStoreOptions = {}): SqliteRunStore {
    let db: Database.Database | undefined;
    try {
      if (file !== ':memory:') {
        checkStateFile(file);
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        // Created owner-only before SQLite opens it: it never exists readable by others.
        closeSync(openSync(file, 'a', 0o600));
        chmodSync(file, 0o600);
      }
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      // Deleted and overwritten content is zeroed, not left in free pages (a finished job's credentials).
      db.pragma('secure_delete = ON');
      migrate(db, file);
      if (file !== ':memory:') restrictCompanions(file);
      return new SqliteRunStore(db, options.scrubber ?? processScrubber);
    } catch (error) {
      db?.close();
      if (error instanceof StoreError) throw error;
      throw new StoreError('STORE_OPEN_FAILED', `cannot open the state database ${file}: ${errorMessage(error)}`, { cause: error });
    }
  }

  async startRun(registry: string, trigger: RunTrigger, startedAt: number, id?: number): Promise<number> {
    return Number(this.#sql.insertRun.run(id ?? null, registry, trigger, startedAt).lastInsertRowid);
  }

  async finishRun(id: number, finish: RunFinish): Promise<void> {
    this.#db.transaction(() => {
      const { endedAt, result, copied, upToDate, failed, bytes } = finish;
      this.#sql.finishRun.run({
        id,
        endedAt,
        result,
        copied,
        upToDate,
        failed,
        cancelled: finish.cancelled ?? 0,
        pruned: finish.pruned ?? 0,
        bytes,
        error: this.#scrub(finish.error),
        referrersCopied: finish.referrers?.copied ?? 0,
        referrersPresent: finish.referrers?.present ?? 0,
        referrersFailed: finish.referrers?.failed ?? 0,
      });
      for (const image of finish.images) {
        this.#sql.insertImage.run({
          runId: id,
          source: image.source,
          target: image.target,
          status: image.status,
          digest: image.digest ?? null,
          bytes: image.bytes,
          errorCode: image.error?.code ?? null,
          errorMessage: this.#scrub(image.error?.message),
        });
      }
    })();
  }

  async closeInterruptedRuns(endedAt: number, crashLimit = CRASH_LIMIT): Promise<InterruptedRuns> {
    return this.#db.transaction((): InterruptedRuns => {
      const registries = this.#sql.runningRuns.all().map((row) => row.registry);
      const runs = this.#sql.interruptRuns.run(endedAt).changes;
      const notResumed: InterruptedRuns['notResumed'] = [];
      for (const registry of registries) {
        // Only a registry whose run was just found interrupted: a streak already reported ended with a `failed` run.
        const latest = this.#sql.latestResults.all(registry, crashLimit);
        const newest = latest[0];
        if (!newest || latest.length < crashLimit || latest.some((r) => r.result !== 'interrupted')) continue;
        this.#sql.failRun.run(crashReason(crashLimit), newest.id);
        notResumed.push({ registry, runId: newest.id, crashes: crashLimit });
      }
      return { runs, notResumed };
    })();
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    const row = this.#sql.getRun.get(id);
    return row ? { ...runSummary(row), images: this.#sql.runImages.all(id).map(imageOutcome) } : undefined;
  }

  async listRuns(registry: string, limit: number): Promise<RunSummary[]> {
    return this.#sql.listRuns.all(registry, limit).map(runSummary);
  }

  async registrySummary(registry: string): Promise<{ runs: number; lastRun: RunSummary | undefined }> {
    const last = this.#sql.listRuns.get(registry, 1);
    return { runs: this.#sql.countRuns.get(registry)?.n ?? 0, lastRun: last ? runSummary(last) : undefined };
  }

  async listRunPage(page: RunPage): Promise<{ runs: RunSummary[]; more: boolean } | undefined> {
    const from = page.before === undefined ? undefined : this.#sql.runPosition.get(page.before);
    if (page.before !== undefined && !from) return undefined;
    const rows = this.#sql.runPage.all({
      registry: page.registry ?? null,
      failedOnly: page.failedOnly ? 1 : 0,
      startedAt: from?.started_at ?? null,
      id: from?.id ?? null,
      limit: page.limit + 1,
    });
    return { runs: rows.slice(0, page.limit).map(runSummary), more: rows.length > page.limit };
  }

  async createJob(id: string, request: unknown, createdAt: number): Promise<void> {
    this.#sql.insertJob.run(id, JSON.stringify(request), createdAt);
  }

  async startJob(id: string, startedAt: number): Promise<void> {
    this.#mustChange(this.#sql.startJob.run(startedAt, id).changes, id);
  }

  async recordJobTarget(id: string, result: JobTargetResult): Promise<void> {
    this.#sql.insertJobTarget.run({
      jobId: id,
      endpoint: result.endpoint,
      outcome: result.outcome,
      errorCode: result.error?.code ?? null,
      errorMessage: this.#scrub(result.error?.message),
    });
  }

  async finishJob(id: string, state: 'FINISHED' | 'FAILED', finishedAt: number, request: unknown): Promise<void> {
    this.#mustChange(this.#sql.finishJob.run(state, finishedAt, JSON.stringify(request), id).changes, id);
    // The request with its credentials is still in the WAL until a checkpoint copies the scrubbed
    // page over it; TRUNCATE also empties the WAL file.
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async requeueJob(id: string): Promise<void> {
    this.#sql.requeueJob.run(id);
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = this.#sql.getJob.get(id);
    return row ? this.#jobRecord(row) : undefined;
  }

  async countCrashedJobs(): Promise<Array<{ id: string; crashes: number }>> {
    return this.#sql.crashedJobs.all();
  }

  async listJobs(page: JobPage): Promise<{ jobs: JobRecord[]; more: boolean } | undefined> {
    const from = page.before === undefined ? undefined : this.#sql.jobPosition.get(page.before);
    if (page.before !== undefined && !from) return undefined;
    const rows = this.#sql.listJobs.all({
      createdAt: from?.created_at ?? null,
      rowid: from?.rowid ?? null,
      state: page.state ?? null,
      limit: page.limit + 1,
    });
    return { jobs: rows.slice(0, page.limit).map((row) => this.#jobRecord(row)), more: rows.length > page.limit };
  }

  async recoverableJobs(): Promise<JobRecord[]> {
    return this.#sql.recoverableJobs.all().map((row) => this.#jobRecord(row));
  }

  async jobCounts(): Promise<Record<JobState, number>> {
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const { state, n } of this.#sql.jobCounts.all()) counts[state as JobState] = n;
    return counts;
  }

  async setPaused(registry: string, paused: boolean, at: number): Promise<void> {
    if (paused) this.#sql.pause.run(registry, at);
    else this.#sql.unpause.run(registry);
  }

  async pausedRegistries(): Promise<string[]> {
    return this.#sql.paused.all().map((row) => row.registry);
  }

  async prune(before: number): Promise<{ runs: number; jobs: number }> {
    return this.#db.transaction(() => {
      // Deletion records age out with the runs that made them; what picture-book owns never does.
      this.#sql.prunePruned.run(before);
      return { runs: this.#sql.pruneRuns.run(before).changes, jobs: this.#sql.pruneJobs.run(before).changes };
    })();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #jobRecord(row: JobRow): JobRecord {
    return {
      id: row.id,
      state: row.state as JobState,
      request: JSON.parse(row.request) as unknown,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      targets: this.#sql.jobTargets.all(row.id).map(jobTarget),
      crashes: row.crashes,
    };
  }

  #scrub(message: string | undefined): string | null {
    return message === undefined ? null : this.#scrubber.scrub(message);
  }

  #mustChange(changes: number, id: string): void {
    if (changes === 0) throw new StoreError('STORE_NOT_FOUND', `no distribute job ${id}`);
  }
}
