import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, type BuiltImage } from '../harness/index.js';
import {
  forgetBlobSightings,
  jobsEnded,
  jobsTaken,
  layerHolds,
  oneLayerImage,
  startQueuedSync,
  startWorker,
  useQueueRig,
} from './queue-kit.js';
import { CopyQueue } from '../../src/queue/index.js';
import { apiPort, digestAt, startSync, until, writeConfig } from './sync-kit.js';

/*
 * Scale-out: `picture-book sync --queue` copies nothing itself; `picture-book worker` processes
 * (real child processes) take one job per image from a real redis-server, copy between real
 * registries, and send their events back, so the server's log, history and API show their work.
 */

const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];

const built = new Map<string, BuiltImage>();
const rig = useQueueRig('queue-workers', async ({ source }) => {
  for (const name of NAMES) built.set(name, await pushImage(oneLayerImage(`queue-${name}`), source, `queue/${name}:v1`));
});
const { layer, hold, isHeld } = layerHolds(rig, built);

test('sync --queue and three worker processes: one job per image, each image read and written once (the proxies count it); their events reach the server; the run is recorded as in-process', async () => {
  const { redis, sourceProxy, targetProxy, target, dir, processes } = rig;
  const registry = {
    hostname: targetProxy.host,
    repository: 'mirror',
    images: NAMES.map((name) => `${sourceProxy.host}/queue/${name}:v1`),
  };
  const workerConfig = await writeConfig(await makeTempDir('queue-worker'), {
    registries: [registry],
    // The held layers wait for the others on a loaded machine: a lapsed job lock (a slow lock renewal)
    // must not hand them to another worker meanwhile.
    queue: { stalledSeconds: 60 },
  });
  // Each worker copies one image at a time: the first holds alpha, the second bravo, the third takes
  // the rest. None takes a job ahead (it would wait behind a held copy: queue-prefetch.test.ts).
  hold('alpha');
  hold('bravo');
  const first = await startWorker(workerConfig, { cwd: dir, queue: redis.url, concurrency: 1, prefetch: 0 });
  processes.push(first);

  // The queue comes from the flag (the workers' config has no url either).
  const server = await startQueuedSync(rig, registry);
  await until(() => isHeld('alpha'), "alpha's layer held mid-blob", 60_000);
  assert.deepEqual(
    jobsTaken(first).map((l) => l.target),
    [`${targetProxy.host}/mirror/queue/alpha:v1`],
    'the first worker holds alpha',
  );
  const second = await startWorker(workerConfig, { cwd: dir, queue: redis.url, concurrency: 1, prefetch: 0 });
  processes.push(second);
  await until(() => isHeld('bravo'), "bravo's layer held mid-blob too", 60_000);
  const third = await startWorker(workerConfig, { cwd: dir, queue: redis.url, concurrency: 1, prefetch: 0 });
  processes.push(third);
  const workers = [first, second, third];
  const copied = (): string[] => workers.flatMap((w) => jobsEnded(w, 'copied').map((l) => String(l.target)));
  await until(() => copied().length === NAMES.length - 2, 'the workers to copy the four others', 60_000);
  assert.ok(jobsTaken(third).length >= 1, 'the third worker copied some');
  for (const name of ['alpha', 'bravo'])
    assert.equal(await digestAt(target, `mirror/queue/${name}:v1`), undefined, `${name} held, untagged`);
  sourceProxy.clearFaults();
  sourceProxy.release();
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 60_000);
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', NAMES.length, 0]);

  // Every image copied once, by one worker: one job each, its layer read once at the source, its
  // layer and manifest written once at the target.
  const targets = NAMES.map((name) => `${targetProxy.host}/mirror/queue/${name}:v1`);
  const taken = workers.flatMap((w) => jobsTaken(w).map((l) => String(l.target)));
  assert.deepEqual([...taken].sort(), [...targets].sort(), 'one job taken per image, by one of the workers');
  assert.deepEqual(copied().sort(), [...targets].sort());
  for (const name of NAMES) {
    // A read again is a resume the engine reported (an upload broken on a loaded machine), within the same job.
    const resumed = server.events('blob-resumed').filter((l) => l.digest === layer(name)).length;
    assert.equal(
      sourceProxy.count('GET', new RegExp(`/blobs/${layer(name)}$`)),
      1 + resumed,
      `${name}: layer read once at the source, plus ${resumed} resumed`,
    );
    assert.equal(
      targetProxy.count('PUT', new RegExp(`/blobs/uploads/.*digest=sha256(%3A|:)${layer(name).slice('sha256:'.length)}`)),
      1,
      `${name}: layer written once at the target`,
    );
  }
  const manifestPuts = targetProxy.requests.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'));
  assert.deepEqual(manifestPuts.map((r) => r.path.replace(/^\/v2\/mirror\/queue\/|\/manifests\/v1$/g, '')).sort(), [...NAMES].sort());
  for (const name of NAMES) assert.equal(await digestAt(target, `mirror/queue/${name}:v1`), built.get(name)?.digest, name);

  // The workers' events came back: the server logged each image's copy under the registry.
  const done = server.events('image-done', targetProxy.host).map((l) => l.target);
  assert.deepEqual([...done].sort(), targets.sort(), 'image-done of every image, sent by the workers');

  // The history has the run and its images, as without a queue.
  const runs = (await server.api(`/api/sync/runs?registry=${encodeURIComponent(targetProxy.host)}`)).json;
  assert.equal(runs.runs.length, 1);
  assert.deepEqual([runs.runs[0].result, runs.runs[0].copied], ['succeeded', NAMES.length]);
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
  await Promise.all([server.stop(), ...workers.map((w) => w.stop())]);
});

test('a pause withdraws the jobs no worker has taken and stops the copy under way on its worker: nothing is tagged', async () => {
  await forgetBlobSightings(rig);
  const { redis, sourceProxy, targetProxy, target, processes } = rig;
  const registry = {
    hostname: targetProxy.host,
    repository: 'paused',
    images: ['alpha', 'bravo'].map((name) => `${sourceProxy.host}/queue/${name}:v1`),
  };
  const home = await makeTempDir('queue-pause');
  // No job taken ahead: what is under test is the withdrawal of the jobs no worker holds.
  const worker = await startWorker(await writeConfig(home, { registries: [registry] }), {
    cwd: home,
    queue: redis.url,
    concurrency: 1,
    prefetch: 0,
  });
  processes.push(worker);
  sourceProxy.clearFaults();
  hold('alpha');
  const port = await apiPort();
  const config = {
    registries: [registry],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    queue: { url: redis.url },
  };
  const server = await startSync(await writeConfig(home, config), { port, cwd: home });
  processes.push(server);
  await until(() => isHeld('alpha'), "alpha's layer held mid-blob", 60_000);

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

test('the same image for the same tag asked twice from different sources (two servers with different configs): written once; the second worker waits, then finds it up to date', async (t) => {
  await forgetBlobSightings(rig);
  const { redis, source, sourceProxy, targetProxy, target, processes } = rig;
  const home = await makeTempDir('queue-twice');
  const entry = { hostname: targetProxy.host, repository: 'twice', images: [`${sourceProxy.host}/queue/charlie:v1`] };
  const workerConfig = await writeConfig(home, { registries: [entry] });
  // One job each: a worker taking the second ahead would hold it behind its own first copy.
  const workers = [
    await startWorker(workerConfig, { cwd: home, queue: redis.url, concurrency: 1, prefetch: 0 }),
    await startWorker(workerConfig, { cwd: home, queue: redis.url, concurrency: 1, prefetch: 0 }),
  ];
  processes.push(...workers);
  sourceProxy.clearFaults();
  sourceProxy.clearRequests();
  targetProxy.clearRequests();
  hold('charlie');
  // Two `sync` sides: one reads charlie through the proxy, the other straight from the registry
  // (a config being rolled out, say): different jobs, one target tag, one digest.
  const settings = { url: redis.url, name: 'picture-book', stalledSeconds: 30 };
  const servers = [new CopyQueue(settings, () => undefined), new CopyQueue(settings, () => undefined)];
  t.after(() => Promise.all(servers.map((s) => s.close())));
  await Promise.all(servers.map((s) => s.ready()));
  const targetRef = `${targetProxy.host}/twice/queue/charlie:v1`;
  const viaProxy = servers[0]?.copy(entry.hostname, { source: `${sourceProxy.host}/queue/charlie:v1`, target: targetRef });
  await until(() => isHeld('charlie'), "charlie's layer held mid-blob", 60_000);
  const direct = servers[1]?.copy(entry.hostname, { source: `${source.host}/queue/charlie:v1`, target: targetRef });
  const waiting = await until(
    () => workers.flatMap((w) => w.events('copy-job-waiting'))[0],
    'the second worker to wait for the first',
    60_000,
  );
  assert.deepEqual([waiting.target, waiting.digest], [targetRef, built.get('charlie')?.digest]);
  assert.equal(await digestAt(target, 'twice/queue/charlie:v1'), undefined, 'nothing tagged while the first copy is held');
  sourceProxy.clearFaults();
  sourceProxy.release();
  const [first, second] = await Promise.all([viaProxy, direct]);
  assert.deepEqual([first?.status, second?.status], ['copied', 'skipped'], 'the second found the image written by the first');
  assert.equal(targetProxy.count('PUT', /\/v2\/twice\/queue\/charlie\/manifests\//), 1, 'one manifest write at the target');
  assert.equal(
    targetProxy.count('PUT', new RegExp(`/blobs/uploads/.*digest=sha256(%3A|:)${layer('charlie').slice('sha256:'.length)}`)),
    1,
    'one layer write at the target',
  );
  assert.equal(await digestAt(target, 'twice/queue/charlie:v1'), built.get('charlie')?.digest);
  await Promise.all(workers.map((w) => w.stop()));
});
