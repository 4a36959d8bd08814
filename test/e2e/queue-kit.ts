import { after, before } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import {
  startFaultProxy,
  startRedis,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type TestRedis,
  type TestRegistry,
} from '../harness/index.js';
import { SyncProcess, CLI, type LogLine } from './sync-kit.js';

/** Helpers for the scale-out tests: their shared set-up, `picture-book worker` processes and what their logs say. */

/**
 * What every queue test file starts with: a real redis-server, a source and a target registry,
 * each behind a fault proxy (which counts and holds requests), a temp dir, and the processes the
 * tests start (killed after the file's tests, before the servers stop).
 */
export interface QueueRig {
  redis: TestRedis;
  source: TestRegistry;
  target: TestRegistry;
  sourceProxy: FaultProxy;
  targetProxy: FaultProxy;
  dir: string;
  processes: SyncProcess[];
}

/** Registers the file's `before` (the rig, then `fixtures`) and `after` hooks; the rig's fields are set once `before` ran. */
export function useQueueRig(name: string, fixtures: (rig: QueueRig) => Promise<void>): QueueRig {
  const rig: Partial<QueueRig> & { processes: SyncProcess[] } = { processes: [] };
  before(async () => {
    [rig.redis, rig.source, rig.target] = await Promise.all([startRedis(), startRegistry(), startRegistry()]);
    [rig.sourceProxy, rig.targetProxy] = await Promise.all([startFaultProxy(rig.source), startFaultProxy(rig.target)]);
    rig.dir = await makeTempDir(name);
    await fixtures(rig as QueueRig);
  });
  after(async () => {
    await Promise.all(rig.processes.map((p) => p.kill()));
    rig.sourceProxy?.release();
    await Promise.all([rig.sourceProxy?.close(), rig.targetProxy?.close()]);
    await Promise.all([rig.redis?.stop(), rig.source?.stop(), rig.target?.stop()]);
  });
  return rig as QueueRig;
}

/** The biggest blob of an image (its layer): the one a test holds mid-transfer. */
export const layerOf = (built: BuiltImage): string => built.blobs.reduce((a, b) => (b.size > a.size ? b : a)).digest;

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
