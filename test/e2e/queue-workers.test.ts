import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import {
  pushImage,
  startedSoFar,
  startFaultProxy,
  startRedis,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type ImageSpec,
  type TestRedis,
  type TestRegistry,
} from '../harness/index.js';
import { jobsEnded, jobsTaken, startWorker } from './queue-kit.js';
import { apiPort, digestAt, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * Scale-out: `picture-book sync --queue` copies nothing itself; `picture-book worker` processes
 * (real child processes) take one job per image from a real redis-server, copy between real
 * registries, and send their events back, so the server's log, history and API show their work.
 */

const KiB = 1024;
const NAMES = ['alpha', 'bravo', 'charlie', 'delta'];
const image = (name: string): ImageSpec => ({
  kind: 'image',
  format: 'oci',
  layers: [{ seed: `queue-${name}`, size: 256 * KiB }],
  platform: { os: 'linux', architecture: 'amd64' },
});

let redis: TestRedis;
let source: TestRegistry;
let target: TestRegistry;
let sourceProxy: FaultProxy;
let targetProxy: FaultProxy;
let dir: string;
const built = new Map<string, BuiltImage>();
const processes: SyncProcess[] = [];

before(async () => {
  [redis, source, target] = await Promise.all([startRedis(), startRegistry(), startRegistry()]);
  [sourceProxy, targetProxy] = await Promise.all([startFaultProxy(source), startFaultProxy(target)]);
  for (const name of NAMES) built.set(name, await pushImage(image(name), source, `queue/${name}:v1`));
  dir = await makeTempDir('queue-workers');
});

after(async () => {
  const started = startedSoFar({ redis, source, target, sourceProxy, targetProxy });
  await Promise.all(processes.map((p) => p.kill()));
  started.sourceProxy?.release();
  await Promise.all([started.sourceProxy?.close(), started.targetProxy?.close()]);
  await Promise.all([started.redis?.stop(), started.source?.stop(), started.target?.stop()]);
});

test('sync --queue: one job per image, shared by two worker processes; their events reach the server; the run is recorded as in-process', async () => {
  const registry = {
    hostname: targetProxy.host,
    repository: 'mirror',
    images: NAMES.map((name) => `${sourceProxy.host}/queue/${name}:v1`),
  };
  const workerConfig = await writeConfig(await makeTempDir('queue-worker'), { registries: [registry], queue: { stalledSeconds: 5 } });
  // Each worker copies one image at a time: while the first holds alpha, the other takes the rest.
  const first = await startWorker(workerConfig, { cwd: dir, queue: redis.url, concurrency: 1 });
  processes.push(first);
  const alphaLayer = built.get('alpha')?.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  assert.ok(alphaLayer, 'the layer of alpha');
  sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${alphaLayer.digest}$`),
    times: 1,
    action: { kind: 'stall', afterBytes: 1024 },
  });

  const port = await apiPort();
  const config = {
    registries: [registry],
    api: { enabled: true, port },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: true },
  };
  // The queue comes from the flag here (the workers' config has no url either).
  const server = await startSync(await writeConfig(dir, config), { port, cwd: dir, args: ['--queue', redis.url] });
  processes.push(server);
  await until(() => sourceProxy.stalled.length === 1, "alpha's layer held mid-blob", 60_000);
  assert.deepEqual(
    jobsTaken(first).map((l) => l.target),
    [`${targetProxy.host}/mirror/queue/alpha:v1`],
    'the first worker holds alpha',
  );

  const second = await startWorker(workerConfig, { cwd: dir, queue: redis.url, concurrency: 1 });
  processes.push(second);
  await until(() => jobsEnded(second).length === 3, 'the second worker to copy the three others', 60_000);
  assert.equal(await digestAt(target, 'mirror/queue/alpha:v1'), undefined, 'alpha is not tagged while its layer is held');
  sourceProxy.release();
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 60_000);
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', 4, 0]);

  // Every image copied once, by one worker: one job each, one manifest PUT each at the target.
  const targets = NAMES.map((name) => `${targetProxy.host}/mirror/queue/${name}:v1`);
  assert.deepEqual(
    jobsTaken(second)
      .map((l) => l.target)
      .sort(),
    targets.slice(1).sort(),
  );
  assert.deepEqual([...jobsEnded(first, 'copied'), ...jobsEnded(second, 'copied')].map((l) => l.target).sort(), targets.sort());
  const manifestPuts = targetProxy.requests.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'));
  assert.deepEqual(manifestPuts.map((r) => r.path.replace(/^\/v2\/mirror\/queue\/|\/manifests\/v1$/g, '')).sort(), [...NAMES].sort());
  for (const name of NAMES) assert.equal(await digestAt(target, `mirror/queue/${name}:v1`), built.get(name)?.digest, name);

  // The workers' events came back: the server logged each image's copy under the registry.
  const done = server.events('image-done', targetProxy.host).map((l) => l.target);
  assert.deepEqual([...done].sort(), targets.sort(), 'image-done of every image, sent by the workers');

  // The history has the run and its images, as without a queue.
  const runs = (await server.api(`/api/sync/runs?registry=${encodeURIComponent(targetProxy.host)}`)).json;
  assert.equal(runs.runs.length, 1);
  assert.deepEqual([runs.runs[0].result, runs.runs[0].copied], ['succeeded', 4]);
  const detail = (await server.api(`/api/sync/runs/${runs.runs[0].id}`)).json;
  const images = (detail.images ?? detail.run?.images) as Array<{ target: string; status: string; digest: string }>;
  assert.deepEqual(
    images.map((i) => [i.target, i.status, i.digest]).sort(),
    NAMES.map((name) => [`${targetProxy.host}/mirror/queue/${name}:v1`, 'copied', built.get(name)?.digest]).sort(),
  );
  const health = await server.api('/healthz');
  assert.deepEqual([health.status, health.json], [200, { status: 'ok', queue: 'reachable' }]);
  const metrics = (await server.api('/metrics')).text;
  assert.match(metrics, /^picture_book_queue_up 1$/m);
  await Promise.all([server.stop(), first.stop(), second.stop()]);
});

test('a pause withdraws the jobs no worker has taken and stops the copy under way on its worker: nothing is tagged', async () => {
  const registry = {
    hostname: targetProxy.host,
    repository: 'paused',
    images: ['alpha', 'bravo'].map((name) => `${sourceProxy.host}/queue/${name}:v1`),
  };
  const home = await makeTempDir('queue-pause');
  const worker = await startWorker(await writeConfig(home, { registries: [registry] }), { cwd: home, queue: redis.url, concurrency: 1 });
  processes.push(worker);
  const alphaLayer = built.get('alpha')?.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  assert.ok(alphaLayer);
  sourceProxy.clearFaults();
  sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${alphaLayer.digest}$`),
    times: 1,
    action: { kind: 'stall', afterBytes: 1024 },
  });
  const port = await apiPort();
  const config = {
    registries: [registry],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    queue: { url: redis.url },
  };
  const server = await startSync(await writeConfig(home, config), { port, cwd: home });
  processes.push(server);
  await until(() => sourceProxy.stalled.length === 1, "alpha's layer held mid-blob", 60_000);

  const paused = await server.api(`/ops?sync=${encodeURIComponent(targetProxy.host)}&action=pause`, { method: 'POST' });
  assert.deepEqual([paused.status, paused.json.cancelledRun], [200, true]);
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the cancelled run', 0, 30_000);
  assert.deepEqual([finished.result, finished.copied, finished.cancelled], ['cancelled', 0, 2]);
  assert.deepEqual(
    jobsTaken(worker).map((l) => l.target),
    [`${targetProxy.host}/paused/queue/alpha:v1`],
    'bravo was withdrawn before any worker took it',
  );
  await worker.waitForLog((l) => l.event === 'copy-job-ended', 'the worker to stop the copy', 0, 30_000);
  assert.deepEqual(
    jobsEnded(worker).map((l) => [l.target, l.status]),
    [[`${targetProxy.host}/paused/queue/alpha:v1`, 'cancelled']],
  );
  assert.deepEqual(
    [await digestAt(target, 'paused/queue/alpha:v1'), await digestAt(target, 'paused/queue/bravo:v1')],
    [undefined, undefined],
  );
});
