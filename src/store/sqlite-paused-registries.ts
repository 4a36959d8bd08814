import type Database from 'better-sqlite3';

/** The registries whose sync is paused, in the history database (table paused_registries): a pause outlives a restart. */
export class SqlitePausedRegistries {
  #sql: {
    pause: Database.Statement<[string, number]>;
    unpause: Database.Statement<[string]>;
    paused: Database.Statement<[], { registry: string }>;
  };

  constructor(db: Database.Database) {
    this.#sql = {
      pause: db.prepare<[string, number]>(
        `INSERT INTO paused_registries (registry, paused_at) VALUES (?, ?) ON CONFLICT (registry) DO NOTHING`,
      ),
      unpause: db.prepare<[string]>(`DELETE FROM paused_registries WHERE registry = ?`),
      paused: db.prepare<[], { registry: string }>(`SELECT registry FROM paused_registries ORDER BY registry`),
    };
  }

  async setPaused(registry: string, paused: boolean, at: number): Promise<void> {
    if (paused) this.#sql.pause.run(registry, at);
    else this.#sql.unpause.run(registry);
  }

  async pausedRegistries(): Promise<string[]> {
    return this.#sql.paused.all().map((row) => row.registry);
  }
}
