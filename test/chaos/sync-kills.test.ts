import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, test } from 'node:test';
import {
  pushImage,
  startFaultProxy,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { largeImage, ociImage } from '../e2e/fixtures.js';
import { apiPort, digestAt, jobWhen, startSync, submitJob, until, writeConfig, type SyncProcess } from '../e2e/sync-kit.js';
import { chaosFigures, chaosRandom } from './chaos-kit.js';
import { verifyAllTags } from './verify-registry.js';

/*
 * `picture-book sync` under chaos: fault storms on its source keep failing runs, and once they stop the
 * schedule goes on as before; SIGKILL of the server while a run and a distribute job are streaming a
 * 110 MiB layer, at random points of the stream, then a restart on the same database: the database
 * passes PRAGMA integrity_check, the killed run is marked interrupted, the killed job is resumed and
 * finishes, and every tag at the target is complete.
 */

const random = chaosRandom(import.meta.filename);
const figures = chaosFigures(import.meta.filename);
const MiB = 1024 * 1024;
const CYCLES = 4;

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

async function start(dir: string, config: object): Promise<SyncProcess> {
  const port = await apiPort();
  const file = await writeConfig(dir, { api: { enabled: true, port }, state: { path: join(dir, 'state.db') }, ...config });
  const server = await startSync(file, { port, cwd: dir });
  servers.push(server);
  return server;
}

function integrityCheck(dir: string): string {
  const db = new Database(join(dir, 'state.db'));
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

test('fault storms on the source fail runs; once they stop, the schedule goes on and runs succeed', async () => {
  const dir = await makeTempDir('chaos-sync-schedule');
  const registry = {
    hostname: target.host,
    repository: 'scheduled',
    images: [`${proxy.host}/library/app:v1`],
    syncPeriod: '*/2 * * * * *',
  };
  // Retry-After: 0 makes each failing request give up at once, so a failed run is short.
  const storm = random.pick([
    { status: 503, headers: { 'retry-after': '0' } },
    { status: 429, headers: { 'retry-after': '0' } },
    { status: 500, headers: { 'retry-after': '0' } },
  ]);
  proxy.clearRequests();
  for (const method of ['HEAD', 'GET'])
    proxy.addFault({ method, pathPattern: /\/manifests\//, times: 100_000, action: { kind: 'status', ...storm } });
  const server = await start(dir, { registries: [registry], sync: { runOnStart: false } });
  await until(
    () => server.events('sync-run-finished').filter((l) => l.result === 'failed').length >= 2,
    'two failed runs under the storm',
    60_000,
  );
  figures.faults += proxy.requests.filter((r) => r.status === storm.status).length;
  assert.equal(
    server.events('sync-run-finished').some((l) => l.result === 'succeeded'),
    false,
    `no run succeeded under ${storm.status}`,
  );
  proxy.clearFaults();
  const calm = server.logs.length;
  const succeeded = await server.waitForLog(
    (l) => l.event === 'sync-run-finished' && l.result === 'succeeded',
    'a run to succeed once the storm is over',
    calm,
    30_000,
  );
  const afterSuccess = server.logs.indexOf(succeeded);
  await until(
    () => server.logs.slice(afterSuccess).filter((l) => l.event === 'sync-run-finished').length >= 2,
    'two more scheduled runs after the recovery',
    20_000,
  );
  const active = (await server.api('/list?type=active')).json.synchronizers[0];
  assert.equal(active.state === 'scheduled' || active.state === 'running', true, JSON.stringify(active));
  assert.ok(Date.parse(active.nextRun) > Date.now() - 2000, `a next run is planned: ${JSON.stringify(active)}`);
  assert.equal(await digestAt(target, 'scheduled/library/app:v1'), small.digest);
  assert.equal((await server.stop()).code, 0);
  assert.equal(integrityCheck(dir), 'ok');
  figures.runs += server.events('sync-run-finished').length;
});

test(`SIGKILL of sync while a run and a job stream a 110 MiB layer (${CYCLES} times, at random points): database intact, run marked interrupted, job resumed`, async (t) => {
  const dir = await makeTempDir('chaos-sync-kills');
  // A new target each cycle, so the run and the job really stream the layer (no target has it yet).
  const targets: TestRegistry[] = [];
  t.after(() => Promise.all(targets.map((r) => r.stop())));
  const config = (to: TestRegistry) => ({
    registries: [{ hostname: to.host, repository: 'cycle', images: [`${proxy.host}/library/large:v1`] }],
    sync: { runOnStart: false, gracePeriodSeconds: 0 },
  });
  const jobBody = (to: TestRegistry) => ({
    source: { endpoint: `http://${proxy.host}/v2`, image: 'library/large', ref: 'v1' },
    targets: [{ endpoint: `http://${to.host}/v2` }],
  });
  const layer = large.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  let killedJob: string | undefined;
  for (let cycle = 1; cycle <= CYCLES + 1; cycle++) {
    const previous = targets.at(-1);
    if (cycle <= CYCLES) targets.push(await startRegistry());
    const current = targets.at(-1) as TestRegistry;
    const server = await start(dir, config(current));
    if (killedJob && previous) {
      const recovered = await server.waitForLog((l) => l.event === 'jobs-recovered', 'the killed job to be recovered');
      assert.deepEqual(recovered.ids, [killedJob], `cycle ${cycle} (seed ${random.seed})`);
      const closed = server.events('interrupted-runs-closed')[0];
      assert.equal(closed?.runs, 1, `cycle ${cycle}: the killed run is closed as interrupted: ${JSON.stringify(closed)}`);
      const done = await jobWhen(
        server,
        killedJob,
        (j) => j.value === 'FINISHED' || j.value === 'FAILED',
        'the resumed job to end',
        [],
        60_000,
      );
      assert.deepEqual([done.value, done.errors], ['FINISHED', []], `cycle ${cycle}: ${JSON.stringify(done)}`);
      assert.equal(await digestAt(previous, 'library/large:v1'), large.digest);
      const tags = await verifyAllTags(previous);
      figures.verifiedTags += tags.size;
      assert.deepEqual([...tags.keys()], ['library/large:v1'], "the resumed job's tag, and none of the killed run");
    }
    if (cycle > CYCLES) {
      assert.equal((await server.stop()).code, 0);
      break;
    }
    // The stream is held after a random number of bytes: the kill lands while both are copying.
    const afterBytes = random.int(64 * 1024, 40 * MiB);
    proxy.addFault({
      method: 'GET',
      pathPattern: new RegExp(`/blobs/${layer.digest}`),
      times: 1000,
      action: { kind: 'stall', afterBytes },
    });
    const run = await server.api(`/ops?sync=${current.host}&action=run`, { method: 'POST' });
    assert.equal(run.status, 202, run.text);
    killedJob = await submitJob(server, jobBody(current));
    await jobWhen(server, killedJob, (j) => j.value === 'RUNNING', 'to run');
    await server.waitForLog((l) => l.event === 'sync-run-started', 'the run to start');
    await until(() => proxy.stalled.length > 0, `the layer to be held after ${afterBytes} bytes`, 30_000);
    await server.kill();
    figures.kills++;
    assert.equal(server.events('sync-run-finished').length, 0, 'the run was going when the server died');
    proxy.clearFaults();
    proxy.release();
    await until(() => proxy.stalled.length === 0, 'the held answers to lose their client');
    assert.equal(integrityCheck(dir), 'ok', `cycle ${cycle}: integrity_check after the kill`);
    assert.deepEqual(
      stateAfterKill(dir, killedJob),
      { run: 'running', job: 'RUNNING' },
      'the database holds what was going on when the process died',
    );
    console.log(`cycle ${cycle}: killed with the layer held after ${afterBytes} bytes`);
  }
  // The history is consistent: every run ended, the killed ones as interrupted; every job ended.
  const db = new Database(join(dir, 'state.db'), { readonly: true });
  try {
    const runs = db.prepare('SELECT result, ended_at FROM runs ORDER BY id').all() as Array<{ result: string; ended_at: number | null }>;
    assert.deepEqual(
      runs.map((r) => r.result),
      Array(CYCLES).fill('interrupted'),
    );
    assert.equal(
      runs.every((r) => r.ended_at !== null),
      true,
    );
    const jobs = db.prepare('SELECT state FROM jobs').all() as Array<{ state: string }>;
    assert.deepEqual(
      jobs.map((j) => j.state),
      Array(CYCLES).fill('FINISHED'),
    );
  } finally {
    db.close();
  }
});

/** The newest run's result and the job's state, as the killed process left them in the database. */
function stateAfterKill(dir: string, job: string): { run: string | undefined; job: string | undefined } {
  const db = new Database(join(dir, 'state.db'));
  try {
    const run = db.prepare('SELECT result FROM runs ORDER BY id DESC LIMIT 1').get() as { result: string } | undefined;
    const row = db.prepare('SELECT state FROM jobs WHERE id = ?').get(job) as { state: string } | undefined;
    return { run: run?.result, job: row?.state };
  } finally {
    db.close();
  }
}
