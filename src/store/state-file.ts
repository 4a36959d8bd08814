import { closeSync, existsSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './store-error.js';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Pseudo-filesystems: their "files" are the kernel's (SQLite on /proc spins and ignores SIGTERM). */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

function kind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function refuse(file: string, why: string): never {
  throw new StoreError(
    'STORE_PATH_INVALID',
    `state.path ${file} ${why}; picture-book left it untouched (point state.path at a new file or an existing picture-book database)`,
  );
}

/** The path as the system resolves it: the file's own, or its nearest existing ancestor's plus the rest. */
function resolvedPath(file: string): string {
  let existing = file;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    return realpathSync(existing) + file.slice(existing.length);
  } catch {
    return file;
  }
}

/** The first bytes of a file, read whatever its size says (pseudo-files say 0 and have content). */
function head(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(SQLITE_HEADER.length);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses a state path that is not a database picture-book may use, before anything touches it: a
 * directory, a device, a pipe, anything under /proc, /sys or /dev, or an existing file that is not
 * empty and not SQLite. An empty or missing file is fine (a new database).
 */
export function checkStateFile(file: string): void {
  const real = resolvedPath(file);
  if (SYSTEM_ROOTS.some((root) => real === root || real.startsWith(`${root}/`)))
    refuse(file, `is under ${real.split('/').slice(0, 2).join('/')}, a system directory`);
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return;
    throw error;
  }
  if (!stats.isFile()) refuse(file, `is ${kind(stats)}`);
  const start = head(file);
  if (start.length === 0) return;
  if (!start.equals(SQLITE_HEADER)) refuse(file, 'is an existing file that is not a SQLite database');
}
