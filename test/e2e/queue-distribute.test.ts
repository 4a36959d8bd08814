import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startRegistry, type TestRegistry } from '../harness/index.js';
import { Credentials } from '../../src/auth/credentials.js';
import { CopyQueue } from '../../src/queue/index.js';
import { ociImage } from './fixtures.js';
import { jobsTaken, startWorker, useQueueRig } from './queue-kit.js';
import { apiPort, digestAt, idleRegistry, jobWhen, startSync, submitJob, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * Distribute jobs through the queue: `sync --queue` enqueues one copy job per target, a
 * `picture-book worker` runs it. The request's credentials never sit in Redis in clear: they are
 * sealed (AES-256-GCM) with the queue key both sides hold; without a key such a request is refused.
 */

const PASSWORD = 'pushing-Secret-4711';
const KEY = 'c0ffee'.repeat(11);
let authTarget: TestRegistry | undefined;
const rig = useQueueRig('queue-distribute', async (rig) => {
  await pushImage(ociImage, rig.source, 'library/app:v1');
  authTarget = await startRegistry({ auth: 'htpasswd', username: 'pusher', password: PASSWORD });
});
after(() => authTarget?.stop());

/** Every job hash of queue `name` in Redis, raw (what anyone reading Redis sees). */
async function rawJobs(url: string, name: string): Promise<Array<Record<string, string>>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const ids = [...(await redis.lrange(`${name}:copies:wait`, 0, -1)), ...(await redis.lrange(`${name}:copies:active`, 0, -1))];
    return await Promise.all(ids.map((id) => redis.hgetall(`${name}:copies:${id}`)));
  } finally {
    redis.disconnect();
  }
}

/** A sync server with its API on and no run of its own, on the rig's Redis (`--queue`) with queue settings `queue`. */
async function startServer(name: string, queue: object): Promise<SyncProcess> {
  const port = await apiPort();
  const serverDir = await makeTempDir(name);
  const config = {
    registries: [idleRegistry],
    api: { enabled: true, port },
    state: { path: join(serverDir, 'state.db') },
    sync: { runOnStart: false },
    queue,
  };
  const server = await startSync(await writeConfig(serverDir, config), { port, cwd: serverDir, args: ['--queue', rig.redis.url] });
  rig.processes.push(server);
  return server;
}

test('a distribute job with credentials through the queue: sealed in Redis (the password is nowhere in the job), run by a worker holding the key; the job API answers FINISHED', async () => {
  const { redis, source, dir, processes } = rig;
  assert.ok(authTarget);
  const keyFile = join(dir, 'queue.key');
  await writeFile(keyFile, `${KEY}\n`, { mode: 0o600 });
  const server = await startServer('queue-distribute-server', { name: 'sealed', keyFile });
  const targetEndpoint = `http://${authTarget.host}/v2`;
  const id = await submitJob(server, {
    source: { endpoint: `http://${source.host}/v2`, image: 'library/app', ref: 'v1' },
    targets: [{ endpoint: targetEndpoint, auth: { basicauth: { user: 'pusher', password: PASSWORD } } }],
  });
  // No worker yet: the job waits in Redis, where it is read as anyone with access to Redis would.
  const [job] = await until(async () => {
    const jobs = await rawJobs(redis.url, 'sealed');
    return jobs.length > 0 ? jobs : undefined;
  }, 'the copy job in Redis');
  assert.ok(job?.data, 'the job has data');
  assert.ok(!job.data.includes(PASSWORD), 'the password is not in the job data');
  assert.ok(!job.data.includes('pusher'), 'nor the user');
  assert.ok(!JSON.stringify(job).includes(PASSWORD), 'nor anywhere in the job');
  const data = JSON.parse(job.data) as { target: string; endpoints: { sealed?: string } };
  assert.equal(data.target, `${authTarget.host}/library/app:v1`);
  assert.match(data.endpoints.sealed ?? '', /^v1\./, 'the endpoints are sealed');

  const workerDir = await makeTempDir('queue-distribute-worker');
  const worker = await startWorker(await writeConfig(workerDir, { registries: [idleRegistry], queue: { name: 'sealed', keyFile } }), {
    cwd: workerDir,
    queue: redis.url,
  });
  processes.push(worker);
  const done = await jobWhen(server, id, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end', [], 120_000);
  assert.deepEqual(done.errors, []);
  assert.equal(done.value, 'FINISHED');
  assert.deepEqual(done.finished_endpoints, [targetEndpoint]);
  assert.deepEqual(
    jobsTaken(worker).map((l) => l.target),
    [`${authTarget.host}/library/app:v1`],
    'the worker ran the copy',
  );
  assert.equal(await digestAt(authTarget, 'library/app:v1'), await digestAt(source, 'library/app:v1'));
  assert.ok(![...server.rawLines, ...worker.rawLines].some((line) => line.includes(PASSWORD)), 'no log line quotes the password');
});

test('without a queue key a distribute request with credentials is refused (400 QUEUE_KEY_MISSING), never queued in clear; one without credentials goes through the queue', async () => {
  const { redis, source, target, processes } = rig;
  const server = await startServer('queue-distribute-nokey', { name: 'keyless' });
  const sourceSide = { endpoint: `http://${source.host}/v2`, image: 'library/app', ref: 'v1' };
  const refused = await server.api('/api/distribute/image', {
    method: 'POST',
    body: {
      source: sourceSide,
      targets: [{ endpoint: `http://${target.host}/v2`, auth: { basicauth: { user: 'u', password: PASSWORD } } }],
    },
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error.code, 'QUEUE_KEY_MISSING');
  assert.match(refused.json.error.message, /no queue key \(queue\.keyFile or \$PICTURE_BOOK_QUEUE_KEY\)/);
  assert.ok(!refused.text.includes(PASSWORD));
  assert.deepEqual(await rawJobs(redis.url, 'keyless'), [], 'nothing was queued');

  const id = await submitJob(server, { source: sourceSide, targets: [{ endpoint: `http://${target.host}/v2` }] });
  await until(async () => ((await rawJobs(redis.url, 'keyless')).length > 0 ? true : undefined), 'the plain copy job in Redis');
  const workerDir = await makeTempDir('queue-distribute-nokey-worker');
  const worker = await startWorker(await writeConfig(workerDir, { registries: [idleRegistry], queue: { name: 'keyless' } }), {
    cwd: workerDir,
    queue: redis.url,
  });
  processes.push(worker);
  const done = await jobWhen(server, id, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end', [], 120_000);
  assert.deepEqual([done.value, done.errors], ['FINISHED', []]);
  assert.equal(jobsTaken(worker).length, 1);
});

test('a sync-run copy job carries no credentials: the registry entry is named, the password of its endpoints is not in Redis', async () => {
  const { redis } = rig;
  const queue = new CopyQueue({ url: redis.url, name: 'runs', stalledSeconds: 30 }, () => undefined);
  await queue.ready();
  const credentials = { credentials: new Credentials('puller', PASSWORD) };
  const copying = queue.copy('mirror.example', {
    source: 'src.example/library/app:v1',
    target: 'mirror.example/library/app:v1',
    sourceEndpoint: credentials,
    targetEndpoint: credentials,
  });
  const ended = copying.then(
    () => 'resolved',
    (error: unknown) => String(error),
  );
  try {
    const [job] = await until(async () => {
      const jobs = await rawJobs(redis.url, 'runs');
      return jobs.length > 0 ? jobs : undefined;
    }, 'the copy job in Redis');
    assert.ok(job?.data);
    assert.equal((JSON.parse(job.data) as { registry: string }).registry, 'mirror.example');
    assert.ok(!JSON.stringify(job).includes(PASSWORD), 'the password is nowhere in the job');
    assert.ok(!JSON.stringify(job).includes('puller'), 'nor the user');
  } finally {
    await queue.close();
  }
  assert.match(await ended, /closing/, 'the follower ends when the queue closes');
});
