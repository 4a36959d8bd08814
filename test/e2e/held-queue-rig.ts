import { after, before } from 'node:test';
import { Queue } from 'bullmq';
import { loadConfig, type PictureBookConfig } from '../../src/config/index.js';
import type { CopyResult, CopyTask } from '../../src/copy/index.js';
import { CopyQueue, CopyWorker, type QueueEvent } from '../../src/queue/index.js';
import { COPY_QUEUE } from '../../src/queue/queue-names.js';
import { redisOptions } from '../../src/queue/redis-connection.js';
import { startRedis, type TestRedis } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { writeConfig } from './sync-kit.js';

/*
 * A real redis-server, a sync-side CopyQueue and in-process CopyWorkers whose engine is the
 * test's own: its copies end when the test says. For tests of who runs which job when, and of
 * what a stop does to a job, not of a copy.
 */

export const REGISTRY = '127.0.0.1:1'; // never reached: the engine is the test's

/** An engine whose copies run until `end(target)`; `started` lists the targets it was asked to copy, in order. */
export function heldEngine(): { copy: (task: CopyTask) => Promise<CopyResult>; started: string[]; end: (target: string) => void } {
  const ends = new Map<string, () => void>();
  const started: string[] = [];
  return {
    started,
    end: (target) => ends.get(target)?.(),
    copy: async (task) => {
      started.push(task.target);
      await new Promise<void>((resolve) => ends.set(task.target, resolve));
      const figures = { bytes: 0, blobsCopied: 0, blobsSkipped: 0, blobsMounted: 0, durationMs: 0, manifestsWritten: 1 };
      return { status: 'copied', source: task.source, target: task.target, digest: 'sha256:1', sourceDigest: 'sha256:1', ...figures };
    },
  };
}

export interface HeldWorker {
  worker: CopyWorker;
  engine: ReturnType<typeof heldEngine>;
  log: QueueEvent[];
}

export interface HeldQueueRig {
  url: string;
  settings: { url: string; name: string; stalledSeconds: number };
  queue: CopyQueue;
  jobs: Queue;
  workers: HeldWorker[];
  startWorker: (options?: { prefetch?: number; holdLimitMs?: number; concurrency?: number }) => Promise<HeldWorker>;
  copy: (image: string, signal?: AbortSignal) => Promise<CopyResult>;
}

/**
 * Starts redis-server before the file's tests (stopped after them); answers `rigFor(t, name)`:
 * a queue of the test's own name and workers of one copy slot each unless told. A job held ahead goes back to
 * the queue after a minute unless the test says otherwise: longer than any test.
 */
export function useHeldQueueRig(label: string): (t: { after: (fn: () => Promise<void>) => void }, name: string) => HeldQueueRig {
  let redis: TestRedis | undefined;
  let config: PictureBookConfig | undefined;
  before(async () => {
    redis = await startRedis();
    const file = await writeConfig(await makeTempDir(label), {
      registries: [{ hostname: REGISTRY, images: ['127.0.0.1:2/app:v1'] }],
    });
    config = (await loadConfig(file)).config;
  });
  after(async () => {
    await redis?.stop();
  });
  return (t, name) => {
    if (!redis || !config) throw new Error('redis-server did not start');
    const url = redis.url;
    const loaded = config;
    const settings = { url, name, stalledSeconds: 30 };
    const queue = new CopyQueue(settings, () => undefined, { checkEveryMs: 3_600_000 });
    const jobs = new Queue(COPY_QUEUE, { connection: redisOptions(url), prefix: name });
    const rig: HeldQueueRig = {
      url,
      settings,
      queue,
      jobs,
      workers: [],
      startWorker: async ({ prefetch, holdLimitMs = 60_000, concurrency = 1 } = {}) => {
        const engine = heldEngine();
        const log: QueueEvent[] = [];
        const worker = new CopyWorker({
          settings,
          config: () => loaded,
          engine,
          concurrency,
          emit: (event) => log.push(event),
          holdLimitMs,
          ...(prefetch !== undefined ? { prefetch } : {}),
        });
        await worker.start();
        const started = { worker, engine, log };
        rig.workers.push(started);
        return started;
      },
      copy: (image, signal) =>
        queue.copy(REGISTRY, { source: `127.0.0.1:2/${image}`, target: `${REGISTRY}/${image}` }, signal ? { signal } : {}),
    };
    t.after(async () => {
      // Whatever a failed test left running ends, so every close can finish.
      for (const { engine } of rig.workers) for (const target of engine.started) engine.end(target);
      await Promise.all(rig.workers.map(({ worker }) => worker.stop(0)));
      await Promise.all([queue.close(), jobs.close()]);
    });
    return rig;
  };
}
