import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { makeTempDir } from '../harness/procs.js';
import {
  startFaultProxy,
  startRedis,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type ImageSpec,
  type TestRedis,
  type TestRegistry,
} from '../harness/index.js';
import { SyncProcess, CLI, apiPort, startSync, writeConfig, type LogLine } from './sync-kit.js';

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

/** A one-layer image of 256 KiB: a layer of its own per seed, so a test can hold one image's reads. */
export const oneLayerImage = (seed: string): ImageSpec => ({
  kind: 'image',
  format: 'oci',
  layers: [{ seed, size: 256 * 1024 }],
  platform: { os: 'linux', architecture: 'amd64' },
});

/** Holding the layer reads of the images a file pushed (`built`, by name) at the rig's source proxy. */
export function layerHolds(rig: QueueRig, built: ReadonlyMap<string, BuiltImage>) {
  const layer = (name: string): string => {
    const image = built.get(name);
    assert.ok(image, name);
    return layerOf(image);
  };
  return {
    layer,
    /**
     * Holds every read of `name`'s layer until release(): on a loaded machine an upload can break while
     * it waits (the target side closes it), and the engine then reads the blob again, which must be held too.
     */
    hold: (name: string): void =>
      rig.sourceProxy.addFault({
        method: 'GET',
        pathPattern: new RegExp(`/blobs/${layer(name)}$`),
        times: 100,
        action: { kind: 'stall', afterBytes: 1024 },
      }),
    /** Whether a read of `name`'s layer is held at the source proxy now. */
    isHeld: (name: string): boolean => rig.sourceProxy.stalled.some((r) => r.path.endsWith(`/blobs/${layer(name)}`)),
  };
}

/**
 * High availability: a `picture-book worker` and two `sync` servers (a and b, APIs on, no run on
 * start) with the same `registry` entry on the rig's Redis; all in the rig's processes. `name`
 * prefixes their temp dirs.
 */
export async function startSyncPair(rig: QueueRig, name: string, registry: object): Promise<[SyncProcess, SyncProcess]> {
  const workerConfig = await writeConfig(await makeTempDir(`${name}-worker`), { registries: [registry] });
  rig.processes.push(await startWorker(workerConfig, { cwd: await makeTempDir(name), queue: rig.redis.url }));
  const servers: SyncProcess[] = [];
  for (const server of ['a', 'b']) {
    const port = await apiPort();
    const home = await makeTempDir(`${name}-${server}`);
    const config = {
      registries: [registry],
      api: { enabled: true, port },
      state: { path: join(home, 'state.db') },
      sync: { runOnStart: false },
      queue: { url: rig.redis.url },
    };
    const started = await startSync(await writeConfig(home, config), { port, cwd: home });
    rig.processes.push(started);
    servers.push(started);
  }
  return servers as [SyncProcess, SyncProcess];
}

/**
 * A `sync --queue` server (the queue from the flag) of `registry`, API on, its state in the rig's
 * dir, running once at start; one of the rig's processes.
 */
export async function startQueuedSync(rig: QueueRig, registry: object): Promise<SyncProcess> {
  const port = await apiPort();
  const config = {
    registries: [registry],
    api: { enabled: true, port },
    state: { path: join(rig.dir, 'state.db') },
    sync: { runOnStart: true },
  };
  const server = await startSync(await writeConfig(rig.dir, config), { port, cwd: rig.dir, args: ['--queue', rig.redis.url] });
  rig.processes.push(server);
  return server;
}

/**
 * A `picture-book worker` process (a real child process): its JSON log, as SyncProcess reads a
 * server's. Resolves once it says it takes jobs (`waitFor: 'nothing'`: at once).
 */
export async function startWorker(
  configFile: string,
  options: { cwd: string; queue?: string; concurrency?: number; prefetch?: number; env?: NodeJS.ProcessEnv; waitFor?: 'ready' | 'nothing' },
): Promise<SyncProcess> {
  const args = [
    CLI,
    'worker',
    ...(options.queue ? ['--queue', options.queue] : []),
    ...(options.concurrency ? ['--concurrency', String(options.concurrency)] : []),
    ...(options.prefetch !== undefined ? ['--prefetch', String(options.prefetch)] : []),
  ];
  const worker = new SyncProcess(configFile, 'http://127.0.0.1:0', undefined, options.cwd, args, options.env);
  if (options.waitFor === 'nothing') return worker;
  try {
    await Promise.race([
      worker.waitForLog((l) => l.event === 'worker-ready', 'the worker to take jobs', 0, 120_000),
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

/**
 * Forgets where workers saw blobs (their shared sightings in Redis): a case that holds a layer's
 * read at the source needs it uploaded, not mounted from where an earlier case put it.
 */
export async function forgetBlobSightings(rig: QueueRig): Promise<void> {
  const redis = new Redis(rig.redis.url);
  try {
    const keys = await redis.keys('*:blob-seen:*');
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
