import type Database from 'better-sqlite3';

/** How a message becomes a column: scrubbed of secrets (a registry's error can echo credentials), or NULL when absent. */
export type ScrubMessage = (message: string | undefined) => string | null;

/**
 * A group of the history database's tables that the store writes messages into: the database,
 * the group's statements (prepared once per database: SQLite compiles each a single time) and
 * the scrubber of those messages.
 */
export abstract class SqliteTables<Statements> {
  protected readonly db: Database.Database;
  protected readonly sql: Statements;
  protected readonly scrub: ScrubMessage;

  constructor(db: Database.Database, prepare: (db: Database.Database) => Statements, scrub: ScrubMessage) {
    this.db = db;
    this.sql = prepare(db);
    this.scrub = scrub;
  }
}
