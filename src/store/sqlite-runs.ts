import type Database from 'better-sqlite3';
import { SqliteTables, type ScrubMessage } from './sqlite-tables.js';
import type { InterruptedRuns, RunFinish, RunPage, RunRecord, RunSummary, RunTrigger } from './run-store.js';
import { CRASH_LIMIT, crashReason } from './run-store.js';
import { imageOutcome, runSummary, type ImageRow, type RunRow } from './sqlite-rows.js';

function prepareStatements(db: Database.Database) {
  return {
    insertRun: db.prepare<[number | null, string, string, number]>(
      `INSERT INTO runs (id, registry, trigger, started_at, result) VALUES (?, ?, ?, ?, 'running')`,
    ),
    finishRun: db.prepare(
      `UPDATE runs SET ended_at = @endedAt, result = @result, copied = @copied, up_to_date = @upToDate, failed = @failed, cancelled = @cancelled, skipped = @skipped, pruned = @pruned, bytes = @bytes, error = @error, referrers_copied = @referrersCopied, referrers_present = @referrersPresent, referrers_failed = @referrersFailed WHERE id = @id`,
    ),
    insertImage: db.prepare(
      `INSERT INTO run_images (run_id, source, target, status, digest, bytes, error_code, error_message, note) VALUES (@runId, @source, @target, @status, @digest, @bytes, @errorCode, @errorMessage, @note)`,
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
  };
}

/** The runs of the registries and their images, in the history database (tables runs, run_images). */
export class SqliteRuns extends SqliteTables<ReturnType<typeof prepareStatements>> {
  constructor(db: Database.Database, scrub: ScrubMessage) {
    super(db, prepareStatements, scrub);
  }

  async startRun(registry: string, trigger: RunTrigger, startedAt: number, id?: number): Promise<number> {
    return Number(this.sql.insertRun.run(id ?? null, registry, trigger, startedAt).lastInsertRowid);
  }

  async finishRun(id: number, finish: RunFinish): Promise<void> {
    this.db.transaction(() => {
      const { endedAt, result, copied, upToDate, failed, bytes } = finish;
      this.sql.finishRun.run({
        id,
        endedAt,
        result,
        copied,
        upToDate,
        failed,
        cancelled: finish.cancelled ?? 0,
        skipped: finish.skipped ?? 0,
        pruned: finish.pruned ?? 0,
        bytes,
        error: this.scrub(finish.error),
        referrersCopied: finish.referrers?.copied ?? 0,
        referrersPresent: finish.referrers?.present ?? 0,
        referrersFailed: finish.referrers?.failed ?? 0,
      });
      for (const image of finish.images) {
        this.sql.insertImage.run({
          runId: id,
          source: image.source,
          target: image.target,
          status: image.status,
          digest: image.digest ?? null,
          bytes: image.bytes,
          errorCode: image.error?.code ?? null,
          errorMessage: this.scrub(image.error?.message),
          note: this.scrub(image.note) ?? null,
        });
      }
    })();
  }

  async closeInterruptedRuns(endedAt: number, crashLimit = CRASH_LIMIT): Promise<InterruptedRuns> {
    return this.db.transaction((): InterruptedRuns => {
      const registries = this.sql.runningRuns.all().map((row) => row.registry);
      const runs = this.sql.interruptRuns.run(endedAt).changes;
      const notResumed: InterruptedRuns['notResumed'] = [];
      for (const registry of registries) {
        // Only a registry whose run was just found interrupted: a streak already reported ended with a `failed` run.
        const latest = this.sql.latestResults.all(registry, crashLimit);
        const newest = latest[0];
        if (!newest || latest.length < crashLimit || latest.some((r) => r.result !== 'interrupted')) continue;
        this.sql.failRun.run(crashReason(crashLimit), newest.id);
        notResumed.push({ registry, runId: newest.id, crashes: crashLimit });
      }
      return { runs, notResumed };
    })();
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    const row = this.sql.getRun.get(id);
    return row ? { ...runSummary(row), images: this.sql.runImages.all(id).map(imageOutcome) } : undefined;
  }

  async listRuns(registry: string, limit: number): Promise<RunSummary[]> {
    return this.sql.listRuns.all(registry, limit).map(runSummary);
  }

  async registrySummary(registry: string): Promise<{ runs: number; lastRun: RunSummary | undefined }> {
    const last = this.sql.listRuns.get(registry, 1);
    return { runs: this.sql.countRuns.get(registry)?.n ?? 0, lastRun: last ? runSummary(last) : undefined };
  }

  async listRunPage(page: RunPage): Promise<{ runs: RunSummary[]; more: boolean } | undefined> {
    const from = page.before === undefined ? undefined : this.sql.runPosition.get(page.before);
    if (page.before !== undefined && !from) return undefined;
    const rows = this.sql.runPage.all({
      registry: page.registry ?? null,
      failedOnly: page.failedOnly ? 1 : 0,
      startedAt: from?.started_at ?? null,
      id: from?.id ?? null,
      limit: page.limit + 1,
    });
    return { runs: rows.slice(0, page.limit).map(runSummary), more: rows.length > page.limit };
  }
}
