import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cachedDir } from '../test/harness/fixture-cache.js';
import { startRegistry, type TestRegistry } from '../test/harness/index.js';

const exec = promisify(execFile);

/**
 * Fills `registry` with storage seeded once per machine: the first time, `seed` fills a scratch
 * registry and its storage directory is kept in the fixture cache under `key` (put a version in
 * it); every later time the registry is stopped, its storage replaced by a copy, and restarted on
 * the same port. Copying the files takes seconds where seeding thousands of tags takes minutes.
 */
export async function restoreSeededStorage(
  registry: TestRegistry,
  key: string,
  seed: (scratch: TestRegistry) => Promise<void>,
): Promise<void> {
  const cached = await cachedDir(join('bench-storage', key), async (work) => {
    const scratch = await startRegistry();
    try {
      await seed(scratch);
      await scratch.stop({ keepStorage: true });
      await exec('cp', ['-a', `${scratch.rootDir}/.`, work]);
    } finally {
      await scratch.stop();
    }
  });
  await registry.stop({ keepStorage: true });
  await rm(registry.rootDir, { recursive: true, force: true });
  await mkdir(registry.rootDir, { recursive: true });
  await exec('cp', ['-a', `${cached}/.`, registry.rootDir]);
  await registry.start();
}
