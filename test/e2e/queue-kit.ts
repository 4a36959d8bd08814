import { SyncProcess, CLI, type LogLine } from './sync-kit.js';

/** Helpers for the scale-out tests: `picture-book worker` processes and what their logs say. */

/**
 * A `picture-book worker` process (a real child process): its JSON log, as SyncProcess reads a
 * server's. Resolves once it says it takes jobs.
 */
export async function startWorker(
  configFile: string,
  options: { cwd: string; queue?: string; concurrency?: number },
): Promise<SyncProcess> {
  const args = [
    CLI,
    'worker',
    ...(options.queue ? ['--queue', options.queue] : []),
    ...(options.concurrency ? ['--concurrency', String(options.concurrency)] : []),
  ];
  const worker = new SyncProcess(configFile, 'http://127.0.0.1:0', undefined, options.cwd, args);
  try {
    await Promise.race([
      worker.waitForLog((l) => l.event === 'worker-ready', 'the worker to take jobs', 0, 60_000),
      worker.exited.then(({ code }) => {
        throw new Error(`picture-book worker exited with ${code} before it was ready: ${worker.stderr}`);
      }),
    ]);
  } catch (error) {
    await worker.kill();
    throw error;
  }
  return worker;
}

/** The targets of the copy jobs a worker took (in the order it took them). */
export function jobsTaken(worker: SyncProcess): LogLine[] {
  return worker.events('copy-job-taken');
}

export function jobsEnded(worker: SyncProcess, status?: string): LogLine[] {
  return worker.events('copy-job-ended').filter((l) => status === undefined || l.status === status);
}
