import type { Database } from 'better-sqlite3';
import type { OwnedReferrer, OwnedTag, OwnershipLedger, PrunedTag, SkippedPrune } from './ownership.js';

interface OwnedRow {
  registry: string;
  rule_key: string;
  target: string;
  source: string;
  digest: string;
  written_at: number;
  last_seen_at: number;
}

interface PrunedRow {
  run_id: number | null;
  registry: string;
  rule: string;
  target: string;
  digest: string;
  reason: string;
  pruned_at: number;
}

interface ReferrerRow {
  target: string;
  imageDigest: string;
  digest: string;
  subject: string;
  owed: number;
}

const ownedReferrer = ({ owed, ...row }: ReferrerRow): OwnedReferrer => (owed ? { ...row, owed: true } : row);

const owned = (row: OwnedRow): OwnedTag => ({
  registry: row.registry,
  ruleKey: row.rule_key,
  target: row.target,
  source: row.source,
  digest: row.digest,
  writtenAt: row.written_at,
  lastSeenAt: row.last_seen_at,
});

const pruned = (row: PrunedRow): PrunedTag => ({
  runId: row.run_id,
  registry: row.registry,
  rule: row.rule,
  target: row.target,
  digest: row.digest,
  reason: row.reason,
  prunedAt: row.pruned_at,
});

function prepare(db: Database) {
  return {
    write: db.prepare(
      `INSERT INTO owned_tags (registry, rule_key, target, source, digest, written_at, last_seen_at)
       VALUES (@registry, @ruleKey, @target, @source, @digest, @at, @at)
       ON CONFLICT (rule_key, target) DO UPDATE SET source = @source, digest = @digest, written_at = @at, last_seen_at = @at`,
    ),
    seen: db.prepare<[number, string, string]>(`UPDATE owned_tags SET last_seen_at = ? WHERE rule_key = ? AND target = ?`),
    list: db.prepare<[string], OwnedRow>(`SELECT * FROM owned_tags WHERE rule_key = ? ORDER BY target`),
    release: db.prepare<[string, string]>(`DELETE FROM owned_tags WHERE rule_key = ? AND target = ?`),
    countMissing: db.prepare<[string, string, number], { runs: number }>(
      `INSERT INTO missing_sources (rule_key, repository, runs, first_missing_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (rule_key, repository) DO UPDATE SET runs = runs + 1 RETURNING runs`,
    ),
    clearMissing: db.prepare<[string, string]>(`DELETE FROM missing_sources WHERE rule_key = ? AND repository = ?`),
    missing: db.prepare<[string, string], { runs: number }>(`SELECT runs FROM missing_sources WHERE rule_key = ? AND repository = ?`),
    recordPruned: db.prepare(
      `INSERT INTO pruned_tags (run_id, registry, rule, target, digest, reason, pruned_at)
       VALUES (@runId, @registry, @rule, @target, @digest, @reason, @prunedAt)`,
    ),
    pruned: db.prepare<{ registry: string | null; runId: number | null; limit: number }, PrunedRow>(
      `SELECT * FROM pruned_tags WHERE (@registry IS NULL OR registry = @registry) AND (@runId IS NULL OR run_id = @runId)
       ORDER BY id DESC LIMIT @limit`,
    ),
    recordSkipped: db.prepare(
      `INSERT INTO run_prune_skips (run_id, rule, target, digest, outcome, reason, at)
       VALUES (@runId, @rule, @target, @digest, @outcome, @reason, @at)`,
    ),
    skipped: db.prepare<[number], SkippedPrune>(
      `SELECT run_id AS runId, rule, target, digest, outcome, reason, at FROM run_prune_skips WHERE run_id = ? ORDER BY rowid`,
    ),
    recordReferrer: db.prepare(
      `INSERT INTO owned_referrers (target, image_digest, digest, subject, written_at, owed)
       VALUES (@target, @imageDigest, @digest, @subject, @at, @owed)
       ON CONFLICT (target, image_digest, digest) DO UPDATE SET subject = @subject, written_at = @at, owed = @owed`,
    ),
    // The `host/name:tag` rows of one repository (a name holds no `:`, so `host/name/deeper:tag` never matches).
    referrers: db.prepare<{ prefix: string }, ReferrerRow>(
      `SELECT target, image_digest AS imageDigest, digest, subject, owed FROM owned_referrers
       WHERE substr(target, 1, length(@prefix)) = @prefix ORDER BY rowid`,
    ),
    forgetReferrers: db.prepare<[string]>(`DELETE FROM owned_referrers WHERE target = ?`),
    forgetReferrer: db.prepare<[string, string]>(`DELETE FROM owned_referrers WHERE target = ? AND digest = ?`),
  };
}

/** The ownership ledger in the history database (tables owned_tags, missing_sources, pruned_tags, owned_referrers). */
export class SqliteOwnershipLedger implements OwnershipLedger {
  #db: Database;
  #sql: ReturnType<typeof prepare>;

  constructor(db: Database) {
    this.#db = db;
    this.#sql = prepare(db);
  }

  async recordWritten(tags: ReadonlyArray<Omit<OwnedTag, 'lastSeenAt' | 'writtenAt'>>, at: number): Promise<void> {
    this.#db.transaction(() => {
      for (const tag of tags) this.#sql.write.run({ ...tag, at });
    })();
  }

  async markSeen(ruleKey: string, targets: readonly string[], at: number): Promise<void> {
    this.#db.transaction(() => {
      for (const target of targets) this.#sql.seen.run(at, ruleKey, target);
    })();
  }

  async ownedTags(ruleKey: string): Promise<OwnedTag[]> {
    return this.#sql.list.all(ruleKey).map(owned);
  }

  async release(ruleKey: string, target: string): Promise<void> {
    this.#sql.release.run(ruleKey, target);
  }

  async countMissing(ruleKey: string, repository: string, at: number): Promise<number> {
    return this.#sql.countMissing.get(ruleKey, repository, at)?.runs ?? 1;
  }

  async clearMissing(ruleKey: string, repository: string): Promise<void> {
    this.#sql.clearMissing.run(ruleKey, repository);
  }

  async missingRuns(ruleKey: string, repository: string): Promise<number> {
    return this.#sql.missing.get(ruleKey, repository)?.runs ?? 0;
  }

  async recordPruned(tag: PrunedTag): Promise<void> {
    this.#sql.recordPruned.run(tag);
  }

  async prunedTags(options: { registry?: string; runId?: number; limit: number }): Promise<PrunedTag[]> {
    return this.#sql.pruned.all({ registry: options.registry ?? null, runId: options.runId ?? null, limit: options.limit }).map(pruned);
  }

  async recordSkipped(skips: readonly SkippedPrune[]): Promise<void> {
    this.#db.transaction(() => {
      for (const skip of skips) this.#sql.recordSkipped.run(skip);
    })();
  }

  async skippedPrunes(runId: number): Promise<SkippedPrune[]> {
    return this.#sql.skipped.all(runId);
  }

  async recordReferrers(referrers: readonly OwnedReferrer[], at: number): Promise<void> {
    this.#db.transaction(() => {
      for (const { owed, ...referrer } of referrers) this.#sql.recordReferrer.run({ ...referrer, at, owed: owed ? 1 : 0 });
    })();
  }

  async ownedReferrers(repository: string): Promise<OwnedReferrer[]> {
    return this.#sql.referrers.all({ prefix: `${repository}:` }).map(ownedReferrer);
  }

  async forgetReferrers(target: string, digests?: readonly string[]): Promise<void> {
    if (digests === undefined) this.#sql.forgetReferrers.run(target);
    else
      this.#db.transaction(() => {
        for (const digest of digests) this.#sql.forgetReferrer.run(target, digest);
      })();
  }
}
