import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { trackTempDir, untrackTempDir } from './procs.js';

export const FIXTURE_ROOT = join(tmpdir(), 'picture-book-fixtures');

const inFlight = new Map<string, Promise<string>>();

/**
 * A directory under FIXTURE_ROOT built once per machine. It is built in a private temp dir and renamed
 * into place, so existence means complete, and concurrent test processes never see half a fixture.
 */
export function cachedDir(key: string, build: (dir: string) => Promise<void>): Promise<string> {
  let pending = inFlight.get(key);
  if (!pending) {
    pending = buildOnce(join(FIXTURE_ROOT, key), build);
    inFlight.set(key, pending);
    pending.catch(() => inFlight.delete(key));
  }
  return pending;
}

async function buildOnce(finalDir: string, build: (dir: string) => Promise<void>): Promise<string> {
  if (await exists(finalDir)) return finalDir;
  const work = `${finalDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(work, { recursive: true });
  trackTempDir(work);
  try {
    await build(work);
    await mkdir(dirname(finalDir), { recursive: true });
    await rename(work, finalDir);
    untrackTempDir(work);
  } catch (error) {
    untrackTempDir(work);
    await rm(work, { recursive: true, force: true });
    // Another process finished the same fixture first: theirs is identical, use it.
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(finalDir))) return finalDir;
    throw error;
  }
  return finalDir;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
