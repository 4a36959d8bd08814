import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './sqlite-schema.js';
import { checkStateFile } from './state-file.js';
import { StoreError } from './store-error.js';
import { errorMessage } from '../errors/index.js';

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
 * Opens (creating it and its directory if needed) and migrates the database, then hands it to
 * `use`; `:memory:` for tests. WAL lets the API read while a run writes. The file holds queued
 * jobs' credentials until they end, so it is created readable by its owner only. Whatever fails,
 * `use` included, closes the database and is reported as a StoreError.
 */
export function openSqliteDatabase<T>(file: string, use: (db: Database.Database) => T): T {
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
    return use(db);
  } catch (error) {
    db?.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError('STORE_OPEN_FAILED', `cannot open the state database ${file}: ${errorMessage(error)}`, { cause: error });
  }
}
