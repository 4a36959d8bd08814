import { join } from 'node:path';
import { makeTempDir } from '../test/harness/procs.js';
import { startSync, writeConfig, type SyncProcess } from '../test/e2e/sync-kit.js';
import type { LogLine } from '../test/e2e/sync-kit.js';

/** One `sync` run to its end (runOnStart), its log kept: a warm-up, or a measured run. */
export async function syncRun(
  registries: object[],
  extra: object,
  timeoutMs: number,
  what: string,
  env: NodeJS.ProcessEnv = {},
  atRunStart?: (server: SyncProcess) => void,
): Promise<{ finished: LogLine; logs: LogLine[]; server: SyncProcess }> {
  const home = await makeTempDir('bench-queue-sync');
  const config = { registries, state: { path: join(home, 'state.db') }, sync: { runOnStart: true }, ...extra };
  const server: SyncProcess = await startSync(await writeConfig(home, config), { cwd: home, waitFor: 'nothing', env });
  try {
    const started =
      atRunStart &&
      server.waitForLog((l) => l.event === 'sync-run-started', `${what} to start`, 0, timeoutMs).then(() => atRunStart(server));
    const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', `${what} to finish`, 0, timeoutMs);
    await started;
    if (finished.result !== 'succeeded')
      throw new Error(
        `${what} ${String(finished.result)}: ${server.logs
          .filter((l) => l.level !== 'info')
          .slice(0, 3)
          .map((l) => l.msg)
          .join('; ')}`,
      );
    return { finished, logs: server.logs, server };
  } finally {
    await server.stop();
  }
}
