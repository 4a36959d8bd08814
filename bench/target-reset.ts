import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TestRegistry } from '../test/harness/index.js';

const exec = promisify(execFile);

/**
 * Empties a registry between measured runs: stop it, delete its storage, start it again on the same
 * port (the registry keeps no state elsewhere). `sync` then flushes the deleted and written pages,
 * so the next run does not pay for the previous run's disk writeback.
 */
export async function wipeRegistry(registry: TestRegistry): Promise<void> {
  await registry.stop({ keepStorage: true });
  await rm(registry.rootDir, { recursive: true, force: true });
  await mkdir(registry.rootDir, { recursive: true });
  await registry.start();
  await settleDisk();
}

export async function settleDisk(): Promise<void> {
  await exec('sync');
}
