import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, type BuiltImage } from '../harness/index.js';
import { jobsEnded, layerHolds, oneLayerImage, startWorker, useQueueRig } from './queue-kit.js';
import { apiPort, digestAt, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * Per-host limits across workers: `queue.sourceCopies` bounds the copies reading from one source
 * host at once, whichever worker runs them (a semaphore in Redis with expiring leases), and a 429
 * one worker gets pauses that host for every worker (a key in Redis, announced to all).
 */

// Each test has images of its own: a layer copied by a test before would be mounted at the target, not read.
const SETS = {
  slots: ['s-alpha', 's-bravo', 's-charlie', 's-delta'],
  pause: ['p-alpha', 'p-bravo', 'p-charlie', 'p-delta', 'p-echo', 'p-foxtrot'],
  killed: ['k-alpha', 'k-bravo', 'k-charlie'],
};
const built = new Map<string, BuiltImage>();
const rig = useQueueRig('queue-limits', async ({ source }) => {
  for (const name of Object.values(SETS).flat())
    built.set(name, await pushImage(oneLayerImage(`queue-limits-${name}`), source, `limits/${name}:v1`));
});
const { hold, isHeld } = layerHolds(rig, built);
const repositoryOf = (path: string): string => /^\/v2\/(.+?)\/(?:manifests|blobs|referrers|tags)\//.exec(path)?.[1] ?? path;

/** A registries entry copying `names` from the source proxy into `repository` at the target. */
const entryOf = (repository: string, names: readonly string[]) => ({
  hostname: rig.targetProxy.host,
  repository,
  images: names.map((name) => `${rig.sourceProxy.host}/limits/${name}:v1`),
});

/** A sync server whose run starts at once, on queue `queue` of the rig's Redis. */
async function startServer(home: string, entry: object, queue: object): Promise<SyncProcess> {
  const port = await apiPort();
  const config = {
    registries: [entry],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    queue: { url: rig.redis.url, ...queue },
    sync: { runOnStart: true },
  };
  const server = await startSync(await writeConfig(home, config), { port, cwd: home });
  rig.processes.push(server);
  return server;
}

/**
 * A worker of one copy slot that takes no job ahead: each test says which worker holds which
 * image, and a job taken ahead would sit behind a held copy (queue-prefetch.test.ts tests that).
 */
async function worker(configFile: string, home: string): Promise<SyncProcess> {
  const started = await startWorker(configFile, { cwd: home, queue: rig.redis.url, concurrency: 1, prefetch: 0 });
  rig.processes.push(started);
  return started;
}

/** How many images the workers were refused a host slot for (logged once per job). */
const refusedImages = (workers: readonly SyncProcess[]): number =>
  new Set(workers.flatMap((w) => w.events('host-slot-waiting').map((l) => l.target))).size;

async function allArrived(names: readonly string[], repository: string): Promise<void> {
  for (const name of names)
    assert.equal(await digestAt(rig.target, `${repository}/limits/${name}:v1`), built.get(name)?.digest, `${name} at the target`);
}

test('queue.sourceCopies 1 and three workers: the source proxy never sees two images read at once; every image arrives', async (t) => {
  const { sourceProxy } = rig;
  const home = await makeTempDir('queue-limits-slots');
  const names = SETS.slots;
  const entry = entryOf('slots', names);
  const queue = { name: 'limits-slots', sourceCopies: { [sourceProxy.host]: 1 } };
  const workerConfig = await writeConfig(home, { registries: [entry], queue: { ...queue, stalledSeconds: 60 } });
  sourceProxy.clearFaults();
  // Every manifest and blob request of an image at the source, grouped by image: counted at each start and end.
  const overlap = sourceProxy.trackGroups(/^(GET|HEAD) \/v2\/limits\/s-[^/]+\/(manifests|blobs)\//, repositoryOf);
  hold(names[0] ?? '');
  const workers = [await worker(workerConfig, home)];
  const server = await startServer(home, entry, queue);
  await until(() => isHeld(names[0] ?? ''), 'the first image held mid-blob at the source', 60_000);
  workers.push(await worker(workerConfig, home), await worker(workerConfig, home));
  // The others took images and were refused the host's only slot, held by the first worker (each
  // image's first refusal is logged, by whichever worker took it; a refused job is set aside).
  await until(() => overlap.max > 1 || refusedImages(workers) >= 2, 'two other images to wait for the slot', 60_000);
  assert.equal(overlap.max, 1, 'one image read at a time while the others wait');
  sourceProxy.clearFaults();
  sourceProxy.release();
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 120_000);
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', names.length, 0]);
  assert.equal(overlap.max, 1, 'never two images read from the source at once');
  assert.deepEqual([...overlap.seen].sort(), names.map((n) => `limits/${n}`).sort(), 'every image was read');
  await allArrived(names, 'slots');
  t.diagnostic(`copies by worker: ${workers.map((w) => jobsEnded(w, 'copied').length).join(', ')}`);
  await Promise.all([server.stop(), ...workers.map((w) => w.stop())]);
});

test('a 429 with Retry-After at one worker: the other workers send nothing more to that host until the shared pause lapses; everything completes', async (t) => {
  const { redis, sourceProxy } = rig;
  const home = await makeTempDir('queue-limits-pause');
  const names = SETS.pause;
  const [alpha, bravo, charlie] = names as [string, string, string];
  const entry = entryOf('paused', names);
  const queue = { name: 'limits-pause' };
  const workerConfig = await writeConfig(home, { registries: [entry], queue: { ...queue, stalledSeconds: 60 } });
  const probe = new Redis(redis.url);
  t.after(() => probe.quit());
  sourceProxy.clearFaults();
  sourceProxy.clearRequests();
  // The first worker holds alpha mid-blob, the second bravo; the third gets a 429 for charlie.
  hold(alpha);
  hold(bravo);
  const first = await worker(workerConfig, home);
  const server = await startServer(home, entry, queue);
  await until(() => isHeld(alpha), 'alpha held mid-blob', 60_000);
  const second = await worker(workerConfig, home);
  await until(() => isHeld(bravo), 'bravo held mid-blob', 60_000);
  sourceProxy.addFault({
    pathPattern: new RegExp(`^/v2/limits/${charlie}/manifests/`),
    times: 1,
    action: { kind: 'status', status: 429, headers: { 'retry-after': '10' } },
  });
  const third = await worker(workerConfig, home);
  const tooMany = await until(() => {
    const index = sourceProxy.requests.findIndex((r) => r.status === 429);
    return index >= 0 ? index : undefined;
  }, 'the 429 for charlie');
  const pauseKey = `${queue.name}:host-pause:${sourceProxy.host}`;
  // The two held workers heard of the third's 429 before they could send anything more.
  const shared = await until(
    () => {
      const heard = [first, second].map((w) => w.events('host-pause-shared')[0]);
      return heard.every((h) => h !== undefined) ? heard : undefined;
    },
    'both other workers to hear of the pause',
    60_000,
  );
  for (const heard of shared) assert.deepEqual([heard.host, heard.from], [sourceProxy.host, third.events('worker-ready')[0]?.worker]);
  assert.ok((await probe.pttl(pauseKey)) > 0, 'the pause is stored in Redis');
  sourceProxy.clearFaults();
  sourceProxy.release();
  // Ordering, at the proxy and in Redis: while the pause key is still there, the proxy has recorded no
  // request after the 429 from the other workers (any image but charlie, whose worker got the 429).
  const others = (from: number, to: number) =>
    sourceProxy.requests.slice(from + 1, to).filter((r) => !r.path.startsWith(`/v2/limits/${charlie}/`));
  for (;;) {
    const recorded = sourceProxy.requests.length;
    if ((await probe.exists(pauseKey)) === 0) break;
    assert.deepEqual(
      others(tooMany, recorded).map((r) => `${r.method} ${r.path}`),
      [],
      'no request of another worker while the pause stands',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 120_000);
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', names.length, 0]);
  assert.ok(others(tooMany, sourceProxy.requests.length).length > 0, 'the other workers did go on after the pause');
  await allArrived(names, 'paused');
  await Promise.all([server.stop(), ...[first, second, third].map((w) => w.stop())]);
});

test('a worker killed with kill -9 while it holds the only slot of the source host: its lease lapses, another worker takes the slot, and the run finishes', async () => {
  const { sourceProxy } = rig;
  const home = await makeTempDir('queue-limits-killed');
  const names = SETS.killed;
  const entry = entryOf('killed', names);
  const queue = { name: 'limits-killed', stalledSeconds: 10, sourceCopies: { [sourceProxy.host]: 1 } };
  const workerConfig = await writeConfig(home, { registries: [entry], queue });
  sourceProxy.clearFaults();
  hold(names[0] ?? '');
  const holder = await worker(workerConfig, home);
  const server = await startServer(home, entry, queue);
  await until(() => isHeld(names[0] ?? ''), 'the first image held mid-blob', 60_000);
  const others = [await worker(workerConfig, home), await worker(workerConfig, home)];
  await until(() => refusedImages(others) >= 2, 'the two other images to wait for the slot', 60_000);
  await holder.kill(); // SIGKILL: its lease in Redis simply stops being renewed
  sourceProxy.clearFaults();
  sourceProxy.release();
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 180_000);
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', names.length, 0]);
  await allArrived(names, 'killed');
  await Promise.all([server.stop(), ...others.map((w) => w.stop())]);
});
