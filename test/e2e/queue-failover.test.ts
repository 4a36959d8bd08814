import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, type BuiltImage, type ImageSpec } from '../harness/index.js';
import { jobsTaken, layerOf, startWorker, useQueueRig } from './queue-kit.js';
import { apiPort, digestAt, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * What the queue survives: a worker killed with SIGKILL mid-blob (its job goes to another worker
 * once its lock lapses; the target is never tagged with the incomplete image), and Redis itself
 * killed and restarted mid-copy (the server reports it, waits, and the run ends as it would have).
 */

const MiB = 1024 * 1024;
const image = (seed: string): ImageSpec => ({
  kind: 'image',
  format: 'oci',
  layers: [{ seed, size: 2 * MiB }],
  platform: { os: 'linux', architecture: 'amd64' },
});

let kilo: BuiltImage;
let lima: BuiltImage;
let mike: BuiltImage;
const rig = useQueueRig('queue-failover', async ({ source }) => {
  kilo = await pushImage(image('queue-kilo'), source, 'queue/kilo:v1');
  lima = await pushImage(image('queue-lima'), source, 'queue/lima:v1');
  // Its own image: lima's layer is at the target after the test before, and would be mounted, not read.
  mike = await pushImage(image('queue-mike'), source, 'queue/mike:v1');
});

/** A sync server with the queue in its config (no flag), one registry entry of one image; its run starts at once. */
async function startServer(name: string, imageRef: string): Promise<SyncProcess> {
  const { redis, target, sourceProxy, processes } = rig;
  const port = await apiPort();
  const home = await makeTempDir(`queue-${name}`);
  const config = {
    registries: [{ hostname: target.host, repository: name, images: [`${sourceProxy.host}/${imageRef}`] }],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    queue: { url: redis.url, stalledSeconds: 2 },
  };
  const server = await startSync(await writeConfig(home, config), { port, cwd: home });
  processes.push(server);
  return server;
}

/**
 * A worker (stalledSeconds 10) with an entry copying queue/`image`:v1 into `name` at the target, then
 * a server whose run copies it; resolves once the image's layer (of `built`) is held mid-blob at the source.
 */
async function startHeldRun(name: string, image: string, built: BuiltImage): Promise<{ worker: SyncProcess; server: SyncProcess }> {
  const { redis, target, sourceProxy, dir, processes } = rig;
  const workerConfig = await writeConfig(await makeTempDir(`queue-worker-${name}`), {
    registries: [{ hostname: target.host, repository: name, images: [`${sourceProxy.host}/queue/${image}:v1`] }],
    queue: { url: redis.url, stalledSeconds: 10 },
  });
  const worker = await startWorker(workerConfig, { cwd: dir, concurrency: 1 });
  processes.push(worker);
  sourceProxy.clearFaults();
  sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${layerOf(built)}$`),
    times: 1,
    action: { kind: 'stall', afterBytes: 256 * 1024 },
  });
  const server = await startServer(name, `queue/${image}:v1`);
  await until(() => sourceProxy.stalled.length === 1, `${image}'s layer held mid-blob`, 60_000);
  return { worker, server };
}

test('a worker killed with SIGKILL mid-blob: its job goes to another worker after the stall interval; no tag points at a partial image', async () => {
  const { redis, target, sourceProxy, dir, processes } = rig;
  const workerConfig = await writeConfig(await makeTempDir('queue-worker'), {
    // The same entry as the server's: the worker reads how to reach the registries from it (images unused).
    registries: [{ hostname: target.host, repository: 'killed', images: [`${sourceProxy.host}/queue/kilo:v1`] }],
    queue: { url: redis.url, stalledSeconds: 2 },
  });
  const workers = [
    await startWorker(workerConfig, { cwd: dir, concurrency: 1 }),
    await startWorker(workerConfig, { cwd: dir, concurrency: 1 }),
  ];
  processes.push(...workers);
  sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${layerOf(kilo)}$`),
    times: 1,
    action: { kind: 'stall', afterBytes: 256 * 1024 },
  });

  const server = await startServer('killed', 'queue/kilo:v1');
  await until(() => sourceProxy.stalled.length === 1, "kilo's layer held mid-blob", 60_000);
  const holder = await until(() => workers.find((w) => jobsTaken(w).length === 1), 'the worker holding the job');
  const other = workers.find((w) => w !== holder);
  assert.ok(other);
  assert.equal(jobsTaken(other).length, 0, 'one job, one worker');
  await holder.kill(); // SIGKILL: no goodbye, its lock in Redis simply stops being renewed
  assert.equal(await digestAt(target, 'killed/queue/kilo:v1'), undefined, 'nothing tagged by the killed worker');

  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 90_000);
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', 1, 0]);
  assert.deepEqual(
    jobsTaken(other).map((l) => l.target),
    [`${target.host}/killed/queue/kilo:v1`],
    'the other worker took the job over',
  );
  assert.equal(server.events('copy-job-stalled', target.host).length, 1, 'the server logged the lost worker');
  assert.equal(await digestAt(target, 'killed/queue/kilo:v1'), kilo.digest);
  assert.match(
    (await server.api('/metrics')).text,
    new RegExp(`^picture_book_queue_stalled_jobs_total\\{registry="${target.host}"\\} 1$`, 'm'),
  );
  await server.stop();
  await other.stop();
});

test('Redis killed and restarted mid-copy: health and log say so, work waits, and the run ends recorded', async () => {
  const { redis, target, sourceProxy } = rig;
  const { worker, server } = await startHeldRun('restarted', 'lima', lima);

  await redis.kill();
  await server.waitForLog((l) => l.event === 'queue-unreachable', 'the server to notice', 0, 30_000);
  await worker.waitForLog((l) => l.event === 'queue-unreachable', 'the worker to notice', 0, 30_000);
  const down = await server.api('/healthz');
  assert.deepEqual([down.status, down.json], [503, { status: 'unavailable', queue: 'unreachable' }]);
  assert.match((await server.api('/metrics')).text, /^picture_book_queue_up 0$/m);

  await redis.start();
  sourceProxy.release();
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 90_000);
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', 1, 0]);
  assert.ok(server.events('queue-reachable').length >= 1, 'the server logged that Redis is back');
  assert.equal(await digestAt(target, 'restarted/queue/lima:v1'), lima.digest);
  const up = await server.api('/healthz');
  assert.deepEqual([up.status, up.json], [200, { status: 'ok', queue: 'reachable' }]);
  // This run, by its id: the servers sharing the queue list each other's runs of the same target host
  // (the case before ran one), as long as Redis kept them.
  const runs = (await server.api(`/api/sync/runs?registry=${encodeURIComponent(target.host)}`)).json;
  const recorded = runs.runs.filter((r: { id: number }) => r.id === finished.runId);
  assert.deepEqual(
    recorded.map((r: { result: string; copied: number }) => [r.result, r.copied]),
    [['succeeded', 1]],
  );
});

test('Redis restarted EMPTY mid-copy (its data lost): the server says the job was lost, adds it again, and the run ends recorded', async () => {
  const { redis, target, sourceProxy } = rig;
  const { server } = await startHeldRun('emptied', 'mike', mike);

  await redis.restartEmpty();
  const lost = await server.waitForLog((l) => l.event === 'copy-job-lost', 'the server to find its job gone', 0, 60_000);
  assert.equal(lost.target, `${target.host}/emptied/queue/mike:v1`);
  sourceProxy.release();
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 90_000);
  assert.deepEqual([finished.result, finished.failed], ['succeeded', 0]);
  assert.equal(await digestAt(target, 'emptied/queue/mike:v1'), mike.digest);
  const runs = (await server.api(`/api/sync/runs?registry=${encodeURIComponent(target.host)}`)).json;
  const recorded = runs.runs.filter((r: { id: number }) => r.id === finished.runId);
  assert.deepEqual(
    recorded.map((r: { result: string }) => r.result),
    ['succeeded'],
    'the run is in the history',
  );
  const detail = (await server.api(`/api/sync/runs/${String(finished.runId)}`)).json;
  const images = (detail.images ?? detail.run?.images) as Array<{ target: string; digest: string }>;
  assert.deepEqual(
    images.map((i) => [i.target, i.digest]),
    [[`${target.host}/emptied/queue/mike:v1`, mike.digest]],
  );
});
