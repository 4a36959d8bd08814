import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteRunStore } from './sqlite-run-store.js';
import { MIGRATIONS } from './sqlite-schema.js';
import { StoreError } from './store-error.js';

const dir = mkdtempSync(join(tmpdir(), 'pb-store-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const image = {
  source: 'src.example/app:v1',
  target: 'mirror.example/m/app:v1',
  status: 'copied' as const,
  digest: 'sha256:aa',
  bytes: 10,
};
const failedImage = {
  source: 'src.example/app:v2',
  target: 'mirror.example/m/app:v2',
  status: 'failed' as const,
  bytes: 0,
  error: { code: 'NETWORK', message: 'refused' },
};

test('a run is recorded with its counts and per-image outcomes, newest first', async () => {
  const store = SqliteRunStore.open(':memory:');
  const first = await store.startRun('mirror.example', 'start', 1000);
  await store.finishRun(first, {
    endedAt: 2000,
    result: 'failed',
    copied: 1,
    upToDate: 0,
    failed: 1,
    bytes: 10,
    images: [image, failedImage],
    referrers: { copied: 2, present: 5, failed: 1 },
  });
  const second = await store.startRun('mirror.example', 'schedule', 3000);
  await store.startRun('other.example', 'manual', 3500);

  const run = await store.getRun(first);
  assert.equal(run?.result, 'failed');
  assert.equal(run.endedAt, 2000);
  assert.deepEqual(run.referrers, { copied: 2, present: 5, failed: 1 });
  assert.deepEqual(run.images, [
    { ...image, error: undefined },
    { ...failedImage, digest: undefined },
  ]);
  const listed = await store.listRuns('mirror.example', 10);
  assert.deepEqual(
    listed.map((r) => [r.id, r.result, r.trigger]),
    [
      [second, 'running', 'schedule'],
      [first, 'failed', 'start'],
    ],
  );
  assert.deepEqual(listed[0]?.referrers, { copied: 0, present: 0, failed: 0 }, 'a run still going has counted none');
  const summary = await store.registrySummary('mirror.example');
  assert.equal(summary.runs, 2);
  assert.equal(summary.lastRun?.id, second);
  assert.deepEqual(await store.registrySummary('unknown.example'), { runs: 0, lastRun: undefined });
  await store.close();
});

const modes = (file: string) =>
  ['', '-wal', '-shm'].map((suffix) => `${suffix || 'db'} ${(statSync(file + suffix).mode & 0o777).toString(8)}`);

test('the database and its -wal and -shm files are owner-only after a write, also when a crash left them world-readable', async () => {
  const fresh = join(dir, 'fresh', 'state.db');
  const store = SqliteRunStore.open(fresh);
  await store.createJob('job-1', { auth: { basicauth: { user: 'u', password: 'p' } } }, 1000);
  assert.deepEqual(modes(fresh), ['db 600', '-wal 600', '-shm 600']);
  await store.close();

  // An open connection keeps -wal and -shm on disk, as a killed process leaves them.
  const leftover = join(dir, 'leftover.db');
  const other = new Database(leftover);
  other.pragma('journal_mode = WAL');
  other.exec('CREATE TABLE t (x)');
  for (const suffix of ['', '-wal', '-shm']) chmodSync(leftover + suffix, 0o644);
  try {
    const reopened = SqliteRunStore.open(leftover);
    await reopened.createJob('job-2', { auth: { basicauth: { user: 'u', password: 'p' } } }, 1000);
    assert.deepEqual(modes(leftover), ['db 600', '-wal 600', '-shm 600']);
    await reopened.close();
  } finally {
    other.close();
  }
});

test('everything survives reopening the file; runs left running become interrupted', async () => {
  const file = join(dir, 'nested', 'state.db');
  const store = SqliteRunStore.open(file);
  const runId = await store.startRun('mirror.example', 'schedule', 1000);
  await store.setPaused('paused.example', true, 1000);
  await store.setPaused('paused.example', true, 2000);
  await store.setPaused('resumed.example', true, 1000);
  await store.setPaused('resumed.example', false, 1500);
  await store.createJob('job-1', { secret: 'x' }, 1000);
  await store.createJob('job-2', { n: 2 }, 1100);
  await store.startJob('job-2', 1200);
  await store.recordJobTarget('job-2', { endpoint: 'http://a/v2', outcome: 'finished' });
  await store.createJob('job-3', { n: 3 }, 1300);
  await store.startJob('job-3', 1300);
  await store.finishJob('job-3', 'FINISHED', 1400, { n: 3, scrubbed: true });
  await store.close();

  assert.equal(statSync(file).mode & 0o777, 0o600, 'the database may hold job credentials: owner only');
  const reopened = SqliteRunStore.open(file);
  assert.deepEqual(await reopened.closeInterruptedRuns(5000), { runs: 1, notResumed: [] });
  const run = await reopened.getRun(runId);
  assert.equal(run?.result, 'interrupted');
  assert.equal(run.endedAt, 5000);
  assert.deepEqual(await reopened.pausedRegistries(), ['paused.example']);
  const recoverable = await reopened.recoverableJobs();
  assert.deepEqual(
    recoverable.map((j) => [j.id, j.state]),
    [
      ['job-1', 'QUEUED'],
      ['job-2', 'RUNNING'],
    ],
  );
  assert.deepEqual(recoverable[0]?.request, { secret: 'x' });
  assert.deepEqual(recoverable[1]?.targets, [{ endpoint: 'http://a/v2', outcome: 'finished' }]);
  assert.deepEqual((await reopened.getJob('job-3'))?.request, { n: 3, scrubbed: true });
  await reopened.close();
});

test('job lifecycle: queued, running (start time kept on requeue), targets in order, finished', async () => {
  const store = SqliteRunStore.open(':memory:');
  await store.createJob('j', { any: 'thing' }, 100);
  assert.equal((await store.getJob('j'))?.state, 'QUEUED');
  await store.startJob('j', 200);
  await store.requeueJob('j');
  assert.equal((await store.getJob('j'))?.state, 'QUEUED');
  await store.startJob('j', 300);
  await store.recordJobTarget('j', { endpoint: 'http://b/v2', outcome: 'skipped' });
  await store.recordJobTarget('j', { endpoint: 'http://c/v2', outcome: 'failed', error: { code: 'NETWORK', message: 'refused' } });
  let job = await store.getJob('j');
  assert.equal(job?.state, 'RUNNING');
  assert.equal(job.startedAt, 200);
  assert.deepEqual(await store.jobCounts(), { QUEUED: 0, RUNNING: 1, FINISHED: 0, FAILED: 0 });
  await store.finishJob('j', 'FAILED', 400, { redacted: true });
  job = await store.getJob('j');
  assert.equal(job?.state, 'FAILED');
  assert.equal(job.finishedAt, 400);
  assert.deepEqual(job.targets, [
    { endpoint: 'http://b/v2', outcome: 'skipped' },
    { endpoint: 'http://c/v2', outcome: 'failed', error: { code: 'NETWORK', message: 'refused' } },
  ]);
  await store.requeueJob('j');
  assert.equal((await store.getJob('j'))?.state, 'FAILED', 'an ended job is never requeued');
  assert.deepEqual(await store.jobCounts(), { QUEUED: 0, RUNNING: 0, FINISHED: 0, FAILED: 1 });
  assert.equal(await store.getJob('nope'), undefined);
  await assert.rejects(store.startJob('nope', 1), (e: unknown) => e instanceof StoreError && e.code === 'STORE_NOT_FOUND');
  await store.close();
});

test('prune removes ended history older than the cutoff, never running work', async () => {
  const store = SqliteRunStore.open(':memory:');
  const old = await store.startRun('r', 'schedule', 100);
  await store.finishRun(old, { endedAt: 150, result: 'succeeded', copied: 1, upToDate: 0, failed: 0, bytes: 1, images: [image] });
  const oldRunning = await store.startRun('r', 'schedule', 120);
  const recent = await store.startRun('r', 'schedule', 1000);
  await store.finishRun(recent, { endedAt: 1100, result: 'succeeded', copied: 0, upToDate: 1, failed: 0, bytes: 0, images: [] });
  await store.createJob('old-done', {}, 100);
  await store.startJob('old-done', 100);
  await store.finishJob('old-done', 'FINISHED', 200, {});
  await store.createJob('old-queued', {}, 100);

  assert.deepEqual(await store.prune(500), { runs: 1, jobs: 1 });
  assert.equal(await store.getRun(old), undefined);
  assert.ok(await store.getRun(oldRunning));
  assert.ok(await store.getRun(recent));
  assert.equal(await store.getJob('old-done'), undefined);
  assert.ok(await store.getJob('old-queued'));
  await store.close();
});

test('a database written by a newer schema is refused with a typed error', async () => {
  const file = join(dir, 'future.db');
  const raw = new Database(file);
  raw.pragma('user_version = 99');
  raw.close();
  assert.throws(
    () => SqliteRunStore.open(file),
    (e: unknown) => e instanceof StoreError && e.code === 'STORE_SCHEMA_TOO_NEW' && e.message.includes('99'),
  );
  assert.throws(
    () => SqliteRunStore.open(join(dir, 'future.db', 'x.db')),
    (e: unknown) => e instanceof StoreError && e.code === 'STORE_OPEN_FAILED',
  );
});

test('runs: a registry whose last 2 runs died with the process is reported once, its newest run failed with the reason', async () => {
  const store = SqliteRunStore.open(':memory:');
  const done = { result: 'succeeded' as const, copied: 0, upToDate: 0, failed: 0, bytes: 0, images: [] };
  const ok = await store.startRun('steady.example', 'start', 100);
  await store.finishRun(ok, { ...done, endedAt: 150 });
  await store.startRun('looping.example', 'start', 200);
  assert.deepEqual(await store.closeInterruptedRuns(300), { runs: 1, notResumed: [] }, 'one crash: resumed');
  const second = await store.startRun('looping.example', 'start', 400);
  await store.startRun('steady.example', 'start', 400);
  assert.deepEqual(await store.closeInterruptedRuns(500), {
    runs: 2,
    notResumed: [{ registry: 'looping.example', runId: second, crashes: 2 }],
  });
  const failed = await store.getRun(second);
  assert.deepEqual([failed?.result, failed?.error], ['failed', 'interrupted by a crash 2 times; not resumed']);
  assert.deepEqual(
    (await store.listRuns('steady.example', 5)).map((r) => r.result),
    ['interrupted', 'succeeded'],
  );
  // The streak was reported: the next crash starts counting again.
  await store.startRun('looping.example', 'schedule', 600);
  assert.deepEqual(await store.closeInterruptedRuns(700), { runs: 1, notResumed: [] });
  await store.close();
});

test('jobs: each crash while RUNNING is counted in the store and the job goes back to QUEUED; a database of schema 2 gets the column', async () => {
  const file = join(dir, 'schema-2.db');
  const old = new Database(file);
  old.pragma('journal_mode = WAL');
  for (const sql of MIGRATIONS.slice(0, 2)) old.exec(sql);
  old.pragma('user_version = 2');
  old.prepare(`INSERT INTO jobs (id, state, request, created_at, started_at) VALUES ('old-running', 'RUNNING', '{}', 1, 2)`).run();
  old.prepare(`INSERT INTO jobs (id, state, request, created_at) VALUES ('old-queued', 'QUEUED', '{}', 3)`).run();
  old.close();

  const store = SqliteRunStore.open(file);
  assert.equal((await store.getJob('old-queued'))?.crashes, 0);
  assert.deepEqual(await store.countCrashedJobs(), [{ id: 'old-running', crashes: 1 }]);
  assert.deepEqual(
    (await store.recoverableJobs()).map((j) => [j.id, j.state, j.crashes, j.startedAt]),
    [
      ['old-running', 'QUEUED', 1, 2],
      ['old-queued', 'QUEUED', 0, null],
    ],
  );
  await store.startJob('old-running', 10);
  await store.close();
  const again = SqliteRunStore.open(file);
  assert.deepEqual(await again.countCrashedJobs(), [{ id: 'old-running', crashes: 2 }]);
  await again.startJob('old-running', 20);
  await again.requeueJob('old-running');
  assert.deepEqual(await again.countCrashedJobs(), [], 'a stop that put the job back is no crash');
  await again.close();
});

test('state.path that is not a database is refused before anything touches it: a directory, a text file, a path under /proc', async () => {
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'not a database\n');
  chmodSync(text, 0o644);
  const folder = join(dir, 'a-directory');
  mkdirSync(folder);
  const cases: Array<[string, RegExp]> = [
    [text, /is an existing file that is not a SQLite database/],
    [folder, /is a directory/],
    ['/proc/self/status', /is under \/proc, a system directory/],
    ['/proc/self/picture-book/state.db', /is under \/proc/],
  ];
  for (const [file, why] of cases) {
    assert.throws(
      () => SqliteRunStore.open(file),
      (e: unknown) =>
        e instanceof StoreError && e.code === 'STORE_PATH_INVALID' && e.message.startsWith(`state.path ${file} `) && why.test(e.message),
      file,
    );
  }
  assert.equal(statSync(text).mode & 0o777, 0o644, 'the file was not chmodded');
  assert.equal(readFileSync(text, 'utf8'), 'not a database\n');
  assert.equal(existsSync(`${text}-wal`), false);
  // An empty file becomes a new database.
  const empty = join(dir, 'empty.db');
  writeFileSync(empty, '');
  const store = SqliteRunStore.open(empty);
  await store.close();
  assert.equal(readFileSync(empty).subarray(0, 15).toString(), 'SQLite format 3');
});

test("a finished job's credentials are in none of the database, -wal and -shm files once it is scrubbed", async () => {
  const file = join(dir, 'wal-scrub.db');
  const password = 'wal-secret-pw-9931';
  const store = SqliteRunStore.open(file);
  try {
    await store.createJob('j', { source: { auth: { basicauth: { user: 'u', password } } } }, 1);
    await store.startJob('j', 2);
    const files = () =>
      ['', '-wal', '-shm'].filter((suffix) => existsSync(file + suffix)).map((suffix) => [suffix, readFileSync(file + suffix)] as const);
    assert.ok(
      files().some(([, bytes]) => bytes.includes(password)),
      'control: a queued job keeps its credentials',
    );
    await store.finishJob('j', 'FINISHED', 3, { source: { auth: '***' } });
    for (const [suffix, bytes] of files()) assert.equal(bytes.includes(password), false, `the password is in ${file}${suffix}`);
  } finally {
    await store.close();
  }
});
