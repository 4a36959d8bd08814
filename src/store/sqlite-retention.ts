import type Database from 'better-sqlite3';

/**
 * What ages out of the history database, all at once: ended runs (their images and prune skips
 * go with them by foreign key), ended distribute jobs, and the deletion records. A table that
 * should age out gets its DELETE here.
 */
export class SqliteRetention {
  #db: Database.Database;
  #sql: {
    pruneRuns: Database.Statement<[number]>;
    pruneJobs: Database.Statement<[number]>;
    prunePruned: Database.Statement<[number]>;
  };

  constructor(db: Database.Database) {
    this.#db = db;
    this.#sql = {
      pruneRuns: db.prepare<[number]>(`DELETE FROM runs WHERE result != 'running' AND started_at < ?`),
      pruneJobs: db.prepare<[number]>(`DELETE FROM jobs WHERE state IN ('FINISHED', 'FAILED') AND finished_at < ?`),
      prunePruned: db.prepare<[number]>(`DELETE FROM pruned_tags WHERE pruned_at < ?`),
    };
  }

  async prune(before: number): Promise<{ runs: number; jobs: number }> {
    return this.#db.transaction(() => {
      // Deletion records age out with the runs that made them; what picture-book owns never does.
      this.#sql.prunePruned.run(before);
      return { runs: this.#sql.pruneRuns.run(before).changes, jobs: this.#sql.pruneJobs.run(before).changes };
    })();
  }
}
