import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { QueueEvents } from 'bullmq';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startRegistry, type TestRegistry } from '../harness/index.js';
import { COPY_QUEUE } from '../../src/queue/queue-names.js';
import { ociImage } from './fixtures.js';
import { jobsTaken, startWorker, useQueueRig } from './queue-kit.js';
import { apiPort, digestAt, idleRegistry, jobWhen, startSync, submitJob, writeConfig } from './sync-kit.js';

/*
 * Distribute jobs through the queue are de-duplicated by what they copy and by the fingerprint of
 * the endpoints they carry: a request with other credentials for the same copy is a job of its
 * own (it must not ride on, nor fail with, another caller's credentials), while the same request
 * twice is still one job. No worker runs while they are added, so what the queue holds is not a race.
 */

const PASSWORD = 'pushing-Secret-4711';
const KEY = 'fade01'.repeat(11);
let authTarget: TestRegistry | undefined;
const rig = useQueueRig('queue-distribute-credentials', async (rig) => {
  await pushImage(ociImage, rig.source, 'library/creds:v1');
  authTarget = await startRegistry({ auth: 'htpasswd', username: 'pusher', password: PASSWORD });
});
after(() => authTarget?.stop());

/** Counts the adds to the queue `name`: `waiting` (a job was added) or `deduplicated` (folded into one). */
function watchAdds(port: number, name: string) {
  // From the stream's start: adds that land before the first read are not missed.
  const watcher = new QueueEvents(COPY_QUEUE, { connection: { host: '127.0.0.1', port }, prefix: name, lastEventId: '0-0' });
  const adds = { added: [] as string[], folded: [] as string[] };
  const waiters: Array<() => void> = [];
  const changed = (): void => waiters.splice(0).forEach((wake) => wake());
  watcher.on('waiting', ({ jobId }) => {
    adds.added.push(jobId);
    changed();
  });
  watcher.on('deduplicated', ({ jobId }) => {
    adds.folded.push(jobId);
    changed();
  });
  /** Resolves once `n` adds in all were seen. */
  const seen = async (n: number): Promise<void> => {
    while (adds.added.length + adds.folded.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { watcher, adds, seen };
}

test('the same copy asked with wrong and with right credentials is two jobs: the wrong one fails, the right one copies; the same request twice is one job', async (t) => {
  const { redis, source, dir, processes } = rig;
  assert.ok(authTarget);
  const keyFile = join(dir, 'queue.key');
  await writeFile(keyFile, `${KEY}\n`, { mode: 0o600 });
  const queue = { name: 'creds', keyFile };
  const { watcher, adds, seen } = watchAdds(redis.port, queue.name);
  t.after(() => watcher.close());
  await watcher.waitUntilReady();

  const port = await apiPort();
  const serverDir = await makeTempDir('queue-distribute-credentials-server');
  const config = {
    registries: [idleRegistry],
    api: { enabled: true, port },
    state: { path: join(serverDir, 'state.db') },
    sync: { runOnStart: false },
    queue,
  };
  const server = await startSync(await writeConfig(serverDir, config), { port, cwd: serverDir, args: ['--queue', redis.url] });
  processes.push(server);
  const request = (password: string) => ({
    source: { endpoint: `http://${source.host}/v2`, image: 'library/creds', ref: 'v1' },
    targets: [{ endpoint: `http://${authTarget?.host}/v2`, auth: { basicauth: { user: 'pusher', password } } }],
  });
  const ended = (id: string) => jobWhen(server, id, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end', [], 120_000);
  const workerDir = await makeTempDir('queue-distribute-credentials-worker');
  const workerConfig = await writeConfig(workerDir, { registries: [idleRegistry], queue });

  // No worker yet: both wait in the queue, each as a job of its own.
  const wrong = await submitJob(server, request('not-the-password'));
  const right = await submitJob(server, request(PASSWORD));
  await seen(2);
  assert.deepEqual([adds.added.length, adds.folded.length], [2, 0], 'other credentials, another job');
  const worker = await startWorker(workerConfig, { cwd: workerDir, queue: redis.url });
  processes.push(worker);
  const [wrongEnd, rightEnd] = [await ended(wrong), await ended(right)];
  assert.equal(rightEnd.value, 'FINISHED', JSON.stringify(rightEnd));
  assert.equal(wrongEnd.value, 'FAILED', JSON.stringify(wrongEnd));
  assert.equal(jobsTaken(worker).length, 2, 'the worker ran both');
  assert.equal(await digestAt(authTarget, 'library/creds:v1'), await digestAt(source, 'library/creds:v1'));
  await worker.stop();

  // The same request twice (each sealed with a fresh IV): one job, both callers hear its end.
  const twins = [await submitJob(server, request(PASSWORD)), await submitJob(server, request(PASSWORD))];
  await seen(4);
  assert.deepEqual([adds.added.length, adds.folded.length], [3, 1], 'the same request again is folded into its twin');
  const second = await startWorker(workerConfig, { cwd: workerDir, queue: redis.url });
  processes.push(second);
  for (const id of twins) assert.equal((await ended(id)).value, 'FINISHED');
  assert.equal(jobsTaken(second).length, 1, 'one job for the twins');
  assert.ok(![...server.rawLines, ...worker.rawLines].some((line) => line.includes(PASSWORD)), 'no log line quotes the password');
});
