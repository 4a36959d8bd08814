import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../harness/ports.js';
import { makeTempDir } from '../harness/procs.js';
import {
  pushImage,
  skopeoCopyToLayout,
  startFaultProxy,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';
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

const TOKEN = 'jobs-test-api-token-91d2';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;

let source: TestRegistry;
let fresh: TestRegistry;
let upToDate: TestRegistry;
let sourceProxy: FaultProxy;
let upToDateProxy: FaultProxy;
let built: BuiltImage;
let dir: string;
let server: SyncProcess;

before(async () => {
  [source, fresh, upToDate] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  [sourceProxy, upToDateProxy] = await Promise.all([startFaultProxy(source), startFaultProxy(upToDate)]);
  [built] = await Promise.all([pushImage(ociImage, source, 'library/app:v1'), pushImage(ociImage, upToDate, 'library/app:v1')]);
  dir = await makeTempDir('sync-jobs');
  const port = await apiPort();
  const config = {
    registries: [idleRegistry],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: false },
  };
  server = await startSync(await writeConfig(dir, config), { port, token: TOKEN, cwd: dir });
});

after(async () => {
  const started = startedSoFar({ server, sourceProxy, upToDateProxy, source, fresh, upToDate });
  await started.server?.kill();
  await Promise.all([started.sourceProxy?.close(), started.upToDateProxy?.close()]);
  await Promise.all([started.source?.stop(), started.fresh?.stop(), started.upToDate?.stop()]);
});

const jobLog = (id: string) => server.logs.filter((l) => l.id === id && typeof l.event === 'string' && l.event.startsWith('job-'));

test('distribute job to a fresh, an up-to-date and an unreachable target: QUEUED, RUNNING, then FAILED with the error; overwrite copies', async () => {
  const freshEndpoint = `http://${fresh.host}/v2`;
  const upEndpoint = `http://${upToDateProxy.host}/v2`;
  const deadEndpoint = `http://127.0.0.1:${await freePort()}/v2`; // nothing listens there
  const sourceSide = { endpoint: `http://${sourceProxy.host}/v2`, image: 'library/app', ref: 'v1' };
  // Every blob answer from the source stops after 64 KiB until released: copies to `fresh` hold mid-blob.
  sourceProxy.addFault({ method: 'GET', pathPattern: /\/blobs\/sha256:/, times: 1000, action: { kind: 'stall', afterBytes: 64 * 1024 } });

  const posted = await server.api('/api/distribute/image', {
    method: 'POST',
    body: {
      source: sourceSide,
      targets: [{ endpoint: freshEndpoint }, { endpoint: upEndpoint, overwrite: false }, { endpoint: deadEndpoint, verify_tls: 'false' }],
    },
  });
  assert.equal(posted.status, 201, posted.text);
  assert.match(posted.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(posted.json).sort(), ['id', 'msg', 'status']);
  assert.match(posted.json.id, UUID);
  assert.deepEqual({ msg: posted.json.msg, status: posted.json.status }, { msg: 'Image sync started', status: 'success' });
  const first: string = posted.json.id;
  const states: string[] = [];
  await jobWhen(server, first, (j) => j.value === 'RUNNING', 'to run', states);
  await until(() => sourceProxy.stalled.length > 0, 'a source blob to be held mid-stream');

  // A second job to the same target needs the same held blob: both job slots are busy, a third one waits.
  const second = await submitJob(server, { source: sourceSide, targets: [{ endpoint: freshEndpoint, overwrite: true }] });
  await jobWhen(server, second, (j) => j.value === 'RUNNING', 'to run');
  const third = await submitJob(server, { source: sourceSide, targets: [{ endpoint: upEndpoint, overwrite: 'true' }] });
  assert.deepEqual(await getJob(server, third), {
    value: 'QUEUED',
    started_at: null,
    finished_endpoints: [],
    skipped_clusters: [],
    finished_at: null,
    errors: [],
  });

  // The up-to-date and the unreachable targets end while the fresh one is still held.
  const targetsDone = () => jobLog(first).filter((l) => l.event === 'job-target-finished');
  await until(() => targetsDone().length === 2, 'the up-to-date and the unreachable target to end', 30_000);
  const running = await getJob(server, first);
  assert.equal(running.value, 'RUNNING');
  assert.match(running.started_at ?? '', ISO);
  assert.deepEqual([running.finished_endpoints, running.skipped_clusters, running.finished_at], [[], [upEndpoint], null]);
  assert.equal(running.errors.length, 1);
  assert.equal(running.errors[0]?.endpoint, deadEndpoint);
  assert.equal(running.errors[0].code, 'NETWORK');
  assert.match(running.errors[0].message, /ECONNREFUSED|refused/i);
  // The endpoint said http://: plain http is used as said, never an https attempt first.
  assert.match(running.errors[0].message, /http:\/\/127\.0\.0\.1:\d+\//);
  assert.doesNotMatch(running.errors[0].message, /https:/);
  assert.equal(
    upToDateProxy.count('PUT') + upToDateProxy.count('POST') + upToDateProxy.count('PATCH'),
    0,
    'nothing written to the up-to-date target',
  );
  assert.ok(upToDateProxy.count('HEAD', /\/manifests\/v1$/) >= 1, 'its tag was checked');

  sourceProxy.clearFaults();
  sourceProxy.release();
  const failed = await jobWhen(server, first, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end', states);
  assert.deepEqual(failed, {
    value: 'FAILED',
    started_at: running.started_at,
    finished_endpoints: [freshEndpoint],
    skipped_clusters: [upEndpoint],
    finished_at: failed.finished_at,
    errors: running.errors,
  });
  assert.match(failed.finished_at ?? '', ISO);
  assert.ok(Date.parse(failed.started_at ?? '') <= Date.parse(failed.finished_at ?? ''), 'started_at <= finished_at');
  assert.match(states.join(','), /^(QUEUED,)?RUNNING,FAILED$/, 'states seen by polling, in order');
  const events = jobLog(first).map((l) => l.event);
  assert.deepEqual(events, [
    'job-queued',
    'job-started',
    'job-target-finished',
    'job-target-finished',
    'job-target-finished',
    'job-finished',
  ]);
  assert.equal(jobLog(first).at(-1)?.state, 'FAILED');

  // The fresh target serves the source's manifest, and every blob of it (skopeo verifies their digests).
  assert.equal(await digestAt(fresh, 'library/app:v1'), built.digest);
  await skopeoCopyToLayout(`${fresh.host}/library/app:v1`, fresh, join(await makeTempDir('sync-jobs-layout'), 'oci'));

  const secondDone = await jobWhen(server, second, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end');
  assert.deepEqual(
    [secondDone.value, secondDone.finished_endpoints, secondDone.skipped_clusters, secondDone.errors],
    ['FINISHED', [freshEndpoint], [], []],
  );
  const thirdStates: string[] = ['QUEUED'];
  const thirdDone = await jobWhen(server, third, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end', thirdStates);
  assert.deepEqual(
    [thirdDone.value, thirdDone.finished_endpoints, thirdDone.skipped_clusters, thirdDone.errors],
    ['FINISHED', [upEndpoint], [], []],
    'overwrite: copied, not skipped',
  );
  assert.match(thirdStates.join(','), /^QUEUED,(RUNNING,)?FINISHED$/);
  assert.equal(upToDateProxy.count('PUT', /\/manifests\/v1$/), 1, 'overwrite wrote the tag again');
  assert.equal(await digestAt(upToDate, 'library/app:v1'), built.digest);

  const metrics = (await server.api('/metrics')).text;
  for (const [name, value] of [
    ['picture_book_distribute_jobs{state="FAILED"}', 1],
    ['picture_book_distribute_jobs{state="FINISHED"}', 2],
    ['picture_book_distribute_jobs{state="QUEUED"}', 0],
    ['picture_book_distribute_jobs{state="RUNNING"}', 0],
    ['picture_book_distribute_targets_total{outcome="finished"}', 3],
    ['picture_book_distribute_targets_total{outcome="skipped"}', 1],
    ['picture_book_distribute_targets_total{outcome="failed"}', 1],
  ] as const) {
    assert.ok(metrics.includes(`\n${name} ${value}\n`), `${name} ${value} in\n${metrics}`);
  }
});

test('bad distribute requests are 400 with the problem named, and create no job; an unknown job is 404', async () => {
  const jobsBefore = server.events('job-queued').length;
  const cases: Array<[object | string, RegExp]> = [
    [{}, /source: Required; targets: Required/],
    [
      { source: { endpoint: 'ftp://x', image: '', ref: 'v1' }, targets: [] },
      /source\.endpoint: scheme ftp: is not supported.*source\.image: is empty.*targets: needs at least one target/,
    ],
    [
      {
        source: { endpoint: '127.0.0.1:5000', image: 'a', ref: 'v1' },
        targets: [{ endpoint: 'http://u:p@h/v2' }, { endpoint: 'h:1', overwrite: 'maybe' }],
      },
      /targets\[0\]\.endpoint: credentials do not belong in the endpoint URL.*targets\[1\]\.overwrite/,
    ],
    [
      { source: { endpoint: 'h', image: 'a', ref: 'v1', color: 'red' }, targets: [{ endpoint: 'h2' }] },
      /source: Unrecognized key\(s\) in object: 'color'/,
    ],
    ['{"source": ', /./],
  ];
  for (const [body, message] of cases) {
    const answer =
      typeof body === 'string'
        ? await fetch(`${server.url}/api/distribute/image`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body,
          }).then(async (r) => ({ status: r.status, json: await r.json() }))
        : await server.api('/api/distribute/image', { method: 'POST', body });
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.equal(answer.json.error.code, 'INVALID_BODY');
    assert.match(answer.json.error.message, message);
  }
  assert.equal(server.events('job-queued').length, jobsBefore, 'no job was created');
  const unknown = await server.api('/api/distribute/image/00000000-0000-4000-8000-000000000000');
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.json, { error: { code: 'JOB_NOT_FOUND', message: 'no distribute job 00000000-0000-4000-8000-000000000000' } });
});

test('ca per endpoint: a TLS target is trusted with its own CA; the CA of one target is not trusted for another', async (t) => {
  const [tlsA, tlsB] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  t.after(() => Promise.all([tlsA.stop(), tlsB.stop()]));
  const [caA, caB] = await Promise.all([readFile(tlsA.caFile ?? '', 'utf8'), readFile(tlsB.caFile ?? '', 'utf8')]);
  const sourceSide = { endpoint: `http://${source.host}/v2`, image: 'library/app', ref: 'v1' };
  const [a, b] = [`https://${tlsA.host}/v2`, `https://${tlsB.host}/v2`];
  const first = await submitJob(server, {
    source: sourceSide,
    targets: [
      { endpoint: a, ca: caA },
      { endpoint: b, ca: caA },
    ],
  });
  const done = await jobWhen(server, first, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end');
  assert.deepEqual([done.value, done.finished_endpoints], ['FAILED', [a]]);
  assert.equal(done.errors[0]?.endpoint, b);
  assert.match(done.errors[0].message, /certificate/i, "B is not trusted with A's CA");
  assert.equal(await digestAt(tlsA, 'library/app:v1'), built.digest);

  const second = await submitJob(server, { source: sourceSide, targets: [{ endpoint: b, ca: caB }] });
  const ok = await jobWhen(server, second, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end');
  assert.deepEqual([ok.value, ok.errors], ['FINISHED', []]);
  assert.equal(await digestAt(tlsB, 'library/app:v1'), built.digest);
  const listed = (await server.api('/api/distribute/image?limit=2')).json;
  assert.deepEqual(
    listed.jobs.map((j: { id: string }) => j.id),
    [second, first],
    'the newest first',
  );
});
