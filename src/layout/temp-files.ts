import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LayoutError } from '../errors/index.js';

/** Temporary files of a writing process are named after its pid, so a later run knows whose they are. */
const PREFIX = '.picture-book-';

export function tempName(dir: string, what: string): string {
  return join(dir, `${PREFIX}${what}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * Removes what a killed run left behind in `dir`: temporary files of processes that are gone. A
 * live process's files are its own (another run writing the same layout) and are left alone.
 */
export async function removeStaleTemps(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = Number(/^\.picture-book-[a-z]+-(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    await unlink(join(dir, name)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

/** Flushes a directory's entries (a rename in it) to the disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `bytes` to `file` so that a reader sees the old content or the new, never a part: a
 * temporary file beside it, flushed to the disk, renamed over it, and the directory flushed.
 */
export async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  const dir = dirname(file);
  const temp = tempName(dir, 'file');
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    await syncDirectory(dir);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw LayoutError.io('write', file, error);
  }
}
