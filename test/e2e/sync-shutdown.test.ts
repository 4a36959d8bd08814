import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import {
  pushImage,
  skopeoCopyToLayout,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { largeImage, ociImage } from './fixtures.js';
import {
  apiPort,
  digestAt,
  getJob,
  idleRegistry,
  jobWhen,
  startSync,
  submitJob,
  until,
  writeConfig,
  type SyncProcess,
} from './sync-kit.js';

const MiB = 1024 * 1024;
let source: TestRegistry;
let target: TestRegistry;
let proxy: FaultProxy;
let small: BuiltImage;
let large: BuiltImage;
const servers: SyncProcess[] = [];

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(source);
  [small, large] = await Promise.all([pushImage(ociImage, source, 'library/app:v1'), pushImage(largeImage, source, 'library/large:v1')]);
});

after(async () => {
  const started = startedSoFar({ proxy, source, target });
  await Promise.all(servers.map((s) => s.kill()));
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

/** Starts `picture-book sync` in a new directory (its own state database) with the API on. */
async function start(config: object, dir?: string): Promise<{ server: SyncProcess; dir: string }> {
  const home = dir ?? (await makeTempDir('sync-shutdown'));
  const port = await apiPort();
  const file = await writeConfig(home, { api: { enabled: true, port }, state: { path: join(home, 'state.db') }, ...config });
  const server = await startSync(file, { port, cwd: home });
  servers.push(server);
  return { server, dir: home };
}

/** Holds every blob answer of the source after `afterBytes`, until the test releases it. */
function holdBlobs(afterBytes: number): void {
  proxy.addFault({ method: 'GET', pathPattern: /\/blobs\/sha256:/, times: 1000, action: { kind: 'stall', afterBytes } });
}

function letGo(): void {
  proxy.clearFaults();
  proxy.release();
}

/** The target has no such tag: the registry itself says the manifest is unknown. */
async function assertNoTag(ref: string): Promise<void> {
  await assert.rejects(skopeoInspectRaw(`${target.host}/${ref}`, target), /manifest unknown|not found/i);
}

const largestBlob = () => large.blobs.reduce((a, b) => (b.size > a.size ? b : a));

test('distribute jobs survive SIGKILL: the next process on the same database runs the RUNNING and QUEUED ones to FINISHED', async () => {
  holdBlobs(64 * 1024);
  const registries = [idleRegistry];
  const { server, dir } = await start({ registries, sync: { runOnStart: false } });
  const body = (overwrite: boolean) => ({
    source: { endpoint: `http://${proxy.host}/v2`, image: 'library/app', ref: 'v1' },
    targets: [{ endpoint: `http://${target.host}/v2`, overwrite }],
  });
  const first = await submitJob(server, body(false));
  const second = await submitJob(server, body(true));
  const running = await jobWhen(server, first, (j) => j.value === 'RUNNING', 'to run');
  await jobWhen(server, second, (j) => j.value === 'RUNNING', 'to run');
  const third = await submitJob(server, body(true));
  await until(() => proxy.stalled.length > 0, 'a blob to be held mid-stream');
  assert.equal((await getJob(server, third)).value, 'QUEUED', 'both job slots are busy');
  assert.equal((await getJob(server, first)).value, 'RUNNING');

  await server.kill();
  assert.equal(
    server.logs.some((l) => l.event === 'job-finished' || l.event === 'job-requeued'),
    false,
    'no job ended or was put back: the process died',
  );
  await until(() => proxy.stalled.length === 0, 'the held answers to lose their client');
  proxy.clearFaults();
  await assertNoTag('library/app:v1');

  const { server: again } = await start({ registries, sync: { runOnStart: false } }, dir);
  const recovered = await again.waitForLog((l) => l.event === 'jobs-recovered', 'the jobs to be recovered');
  assert.deepEqual(recovered.ids, [first, second, third]);
  for (const id of [first, second, third]) {
    const done = await jobWhen(again, id, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end');
    assert.equal(done.value, 'FINISHED', JSON.stringify(done));
    assert.deepEqual([...done.finished_endpoints, ...done.skipped_clusters], [`http://${target.host}/v2`]);
    assert.deepEqual(done.errors, []);
  }
  assert.equal((await getJob(again, first)).started_at, running.started_at, 'the job was picked up, not started over as a new one');
  assert.equal(await digestAt(target, 'library/app:v1'), small.digest);
  await skopeoCopyToLayout(`${target.host}/library/app:v1`, target, join(dir, 'layout'));
  const stopped = await again.stop();
  assert.equal(stopped.code, 0);
});

test('SIGTERM with jobs: the running ones finish within the grace period, a queued one does not start and runs after the restart', async (t) => {
  const fresh = await startRegistry();
  t.after(() => fresh.stop());
  holdBlobs(64 * 1024);
  const config = { registries: [idleRegistry], sync: { runOnStart: false, gracePeriodSeconds: 60 } };
  const { server, dir } = await start(config);
  const body = {
    source: { endpoint: `http://${proxy.host}/v2`, image: 'library/app', ref: 'v1' },
    targets: [{ endpoint: `http://${fresh.host}/v2`, overwrite: true }],
  };
  const running = [await submitJob(server, body), await submitJob(server, body)];
  for (const id of running) await jobWhen(server, id, (j) => j.value === 'RUNNING', 'to run');
  const queued = await submitJob(server, body);
  await until(() => proxy.stalled.length > 0, 'a blob to be held mid-stream');
  assert.equal((await getJob(server, queued)).value, 'QUEUED');

  server.signal('SIGTERM');
  await server.waitForLog((l) => l.event === 'server-stopping', 'the stop to begin');
  letGo(); // the running jobs can finish now, within the grace period
  assert.equal((await server.exited).code, 0, server.stderr);
  assert.deepEqual(
    server
      .events('job-finished')
      .map((l) => [l.id, l.state])
      .sort(),
    running.map((id) => [id, 'FINISHED']).sort(),
  );
  assert.equal(
    server.logs.some((l) => l.id === queued && l.event !== 'job-queued'),
    false,
    'the queued job was not started by a stopping server',
  );
  assert.equal(await digestAt(fresh, 'library/app:v1'), small.digest);

  const { server: again } = await start(config, dir);
  assert.deepEqual((await again.waitForLog((l) => l.event === 'jobs-recovered', 'the queued job to be recovered')).ids, [queued]);
  const done = await jobWhen(again, queued, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end');
  assert.deepEqual([done.value, done.finished_endpoints], ['FINISHED', [`http://${fresh.host}/v2`]]);
  assert.equal((await again.stop()).code, 0);
});

/** A sync registry mirroring the large image on start; its run holds once `afterBytes` of a blob went through. */
async function startLargeCopy(repository: string, gracePeriodSeconds: number): Promise<SyncProcess> {
  holdBlobs(8 * MiB);
  const registries = [{ hostname: target.host, repository, images: [`${proxy.host}/library/large:v1`] }];
  const { server } = await start({ registries, sync: { runOnStart: true, gracePeriodSeconds } });
  await server.waitForLog(
    (l) => l.event === 'image-started' && String(l.source).endsWith('library/large:v1'),
    'the large image copy to start',
  );
  const layer = `/v2/library/large/blobs/${largestBlob().digest}`;
  await until(() => proxy.stalled.some((r) => r.path === layer), 'the 110 MiB layer to be streaming (8 MiB through, then held)');
  const active = (await server.api('/list?type=active')).json.synchronizers[0];
  assert.equal(active.state, 'running');
  return server;
}

test('SIGTERM with no grace while a 110 MiB layer streams: the copy is aborted, exit 0, and the target has no tag', async () => {
  assert.ok(largestBlob().size > 100 * MiB);
  const server = await startLargeCopy('aborted', 0);
  server.signal('SIGTERM');
  const { code, signal } = await server.exited; // the source is still held: only an abort can end the run
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, server.stderr);
  letGo();
  const order = server.logs
    .map((l) => l.event)
    .filter((e) => ['signal', 'server-stopping', 'sync-run-finished', 'server-stopped'].includes(String(e)));
  assert.deepEqual(order, ['signal', 'server-stopping', 'sync-run-finished', 'server-stopped']);
  assert.equal(server.events('server-stopping')[0]?.graceMs, 0);
  const run = server.events('sync-run-finished')[0];
  assert.deepEqual([run?.result, run?.copied], ['cancelled', 0]);
  assert.equal(server.events('image-done').length, 0);
  await assertNoTag('aborted/library/large:v1');
});

test('SIGTERM with a grace period: the streaming copy finishes within it, exit 0, and the tag is complete', async () => {
  const server = await startLargeCopy('graceful', 60);
  let exited = false;
  void server.exited.then(() => (exited = true));
  server.signal('SIGTERM');
  const stopping = await server.waitForLog((l) => l.event === 'server-stopping', 'the stop to begin');
  assert.equal(stopping.graceMs, 60_000);
  assert.equal(exited, false, 'still running while its copy is held');
  assert.equal(server.events('sync-run-finished').length, 0);
  letGo();
  const { code } = await server.exited;
  assert.equal(code, 0, server.stderr);
  const run = server.events('sync-run-finished')[0];
  assert.deepEqual([run?.result, run?.copied], ['succeeded', 1]);
  assert.ok(Number(run?.bytes) > 100 * MiB);
  assert.equal(await digestAt(target, 'graceful/library/large:v1'), large.digest);
  await skopeoCopyToLayout(`${target.host}/graceful/library/large:v1`, target, join(await makeTempDir('sync-shutdown-layout'), 'oci'));
});

test('a job and a run going when sync was killed twice are not resumed a third time: failed with the reason, and the server stays up', async (t) => {
  // A registry of its own: the blobs must be copied (held mid-stream), not found or mounted.
  const fresh = await startRegistry();
  t.after(() => fresh.stop());
  holdBlobs(64 * 1024);
  const config = {
    registries: [{ hostname: fresh.host, repository: 'crashing', images: [`${proxy.host}/library/app:v1`] }],
    sync: { runOnStart: true },
  };
  const endpoint = `http://${fresh.host}/v2`;
  const body = {
    source: { endpoint: `http://${proxy.host}/v2`, image: 'library/app', ref: 'v1' },
    targets: [{ endpoint, overwrite: true }],
  };
  let dir: string | undefined;
  let job = '';
  for (let crash = 1; crash <= 2; crash++) {
    const started = await start(config, dir);
    dir = started.dir;
    if (crash === 1) job = await submitJob(started.server, body);
    else
      assert.deepEqual(
        (await started.server.waitForLog((l) => l.event === 'jobs-recovered', 'the job to be resumed')).ids,
        [job],
        'one crash: resumed',
      );
    await jobWhen(started.server, job, (j) => j.value === 'RUNNING', 'to run');
    await started.server.waitForLog((l) => l.event === 'sync-run-started', 'the run at start');
    await until(() => proxy.stalled.length > 0, 'a blob to be held mid-stream');
    await started.server.kill();
    await until(() => proxy.stalled.length === 0, 'the held answers to lose their client');
  }
  const { server } = await start(config, dir);
  const failed = await jobWhen(server, job, (j) => j.value === 'FAILED' || j.value === 'FINISHED', 'to end');
  assert.deepEqual(failed.errors, [{ endpoint, code: 'CRASH_LOOP', message: 'interrupted by a crash 2 times; not resumed' }]);
  const details = await server.api(`/ops?sync=${fresh.host}&action=details`);
  assert.deepEqual(
    details.json.recentRuns.map((r: { result: string; error: string | null }) => [r.result, r.error]),
    [
      ['failed', 'interrupted by a crash 2 times; not resumed'],
      ['interrupted', null],
    ],
  );
  assert.equal(server.events('sync-run-started').length, 0, 'no run at start for the registry whose runs kept dying with the process');
  assert.deepEqual(
    server
      .events('work-not-resumed')
      .map((l) => [l.kind, l.level])
      .sort(),
    [
      ['job', 'warn'],
      ['run', 'warn'],
    ],
  );
  assert.equal((await server.api('/healthz')).status, 200, 'the server is up');
  letGo();
  const run = await server.api(`/ops?sync=${fresh.host}&action=run`, { method: 'POST' });
  assert.equal(run.status, 202, 'the registry still runs on demand');
  await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run on demand to end');
  assert.equal(server.events('sync-run-finished')[0]?.result, 'succeeded');
  assert.equal((await server.stop()).code, 0);
});
