import type { Database } from 'better-sqlite3';
import { StoreError } from './store-error.js';

/**
 * Schema versions, applied in order. A database records how many it has had in `user_version`;
 * opening applies the missing ones in one transaction. Never edit a shipped entry: append one.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     registry TEXT NOT NULL,
     trigger TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     ended_at INTEGER,
     result TEXT NOT NULL,
     copied INTEGER NOT NULL DEFAULT 0,
     up_to_date INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0,
     bytes INTEGER NOT NULL DEFAULT 0,
     error TEXT
   );
   CREATE INDEX runs_by_registry ON runs (registry, started_at);
   CREATE TABLE run_images (
     run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     source TEXT NOT NULL,
     target TEXT NOT NULL,
     status TEXT NOT NULL,
     digest TEXT,
     bytes INTEGER NOT NULL,
     error_code TEXT,
     error_message TEXT
   );
   CREATE INDEX run_images_by_run ON run_images (run_id);
   CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     request TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER
   );
   CREATE INDEX jobs_by_state ON jobs (state, created_at);
   CREATE TABLE job_targets (
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     endpoint TEXT NOT NULL,
     outcome TEXT NOT NULL,
     error_code TEXT,
     error_message TEXT,
     PRIMARY KEY (job_id, position)
   );
   CREATE TABLE paused_registries (
     registry TEXT PRIMARY KEY,
     paused_at INTEGER NOT NULL
   );`,
  // Images a stop or pause left uncopied, counted apart from failures.
  `ALTER TABLE runs ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;`,
  // How many times a process died while the job was RUNNING: a job that keeps crashing it is not resumed forever.
  `ALTER TABLE jobs ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0;`,
  // GET /api/distribute/image lists jobs newest first, page by page.
  `CREATE INDEX jobs_by_created ON jobs (created_at);`,
  // Pruning: which target tags picture-book wrote from which rule (it deletes only those), how many
  // runs in a row a source repository answered NAME_UNKNOWN, and every deletion.
  `CREATE TABLE owned_tags (
     registry TEXT NOT NULL,
     rule_key TEXT NOT NULL,
     target TEXT NOT NULL,
     source TEXT NOT NULL,
     digest TEXT NOT NULL,
     written_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL,
     PRIMARY KEY (rule_key, target)
   );
   CREATE INDEX owned_tags_by_target ON owned_tags (target);
   CREATE TABLE missing_sources (
     rule_key TEXT NOT NULL,
     repository TEXT NOT NULL,
     runs INTEGER NOT NULL,
     first_missing_at INTEGER NOT NULL,
     PRIMARY KEY (rule_key, repository)
   );
   CREATE TABLE pruned_tags (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id INTEGER,
     registry TEXT NOT NULL,
     rule TEXT NOT NULL,
     target TEXT NOT NULL,
     digest TEXT NOT NULL,
     reason TEXT NOT NULL,
     pruned_at INTEGER NOT NULL
   );
   CREATE INDEX pruned_tags_by_run ON pruned_tags (run_id);
   ALTER TABLE runs ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;`,
  // Signatures, attestations and SBOMs that followed a run's images, counted apart from them.
  `ALTER TABLE runs ADD COLUMN referrers_copied INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE runs ADD COLUMN referrers_present INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE runs ADD COLUMN referrers_failed INTEGER NOT NULL DEFAULT 0;`,
  // Prunes a run held back (a guard, a shared digest, an incomplete listing) or failed, with why: shown with the run, gone with it.
  `CREATE TABLE run_prune_skips (
     run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     rule TEXT NOT NULL,
     target TEXT NOT NULL,
     digest TEXT NOT NULL,
     outcome TEXT NOT NULL,
     reason TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX run_prune_skips_by_run ON run_prune_skips (run_id);`,
  // Referrers (signatures, attestations, SBOMs) a run copied for a target tag, under the image the tag
  // held then: pruning the tag deletes them, as the target's referrers API has no tag to find them by.
  `CREATE TABLE owned_referrers (
     target TEXT NOT NULL,
     image_digest TEXT NOT NULL,
     digest TEXT NOT NULL,
     subject TEXT NOT NULL,
     written_at INTEGER NOT NULL,
     PRIMARY KEY (target, image_digest, digest)
   );`,
  // Images a platform filter left out, counted apart (as the CLI counts them), and each image's note (why it was skipped).
  `ALTER TABLE runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE run_images ADD COLUMN note TEXT;`,
  // A referrer whose deletion failed after its image went: owed to the next prune of its tag, whatever the tag holds by then.
  `ALTER TABLE owned_referrers ADD COLUMN owed INTEGER NOT NULL DEFAULT 0;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      'STORE_SCHEMA_TOO_NEW',
      `${file} has schema version ${current}; this picture-book knows up to ${SCHEMA_VERSION} (was it written by a newer release?)`,
    );
  }
  db.transaction(() => {
    for (const sql of MIGRATIONS.slice(current)) db.exec(sql);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
