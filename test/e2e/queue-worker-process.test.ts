import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { startWorker } from './queue-kit.js';
import { exitOf, idleRegistry, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * A `picture-book worker` process against a real redis-server, no copying: how many connections
 * it opens, and how it stops when Redis is gone. Each test has a redis-server of its own.
 */

const redises: TestRedis[] = [];
const workers: SyncProcess[] = [];
after(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await Promise.all(redises.map((r) => r.stop()));
});

let configFile = '';
before(async () => {
  configFile = await writeConfig(await makeTempDir('queue-worker-process'), { registries: [idleRegistry] });
});

async function worker(redis: TestRedis, concurrency: number, waitFor: 'ready' | 'nothing' = 'ready'): Promise<SyncProcess> {
  const cwd = await makeTempDir('queue-worker-process-cwd');
  const started = await startWorker(configFile, { cwd, queue: redis.url, concurrency, waitFor });
  workers.push(started);
  return started;
}

test('a worker of 6 copy slots and, by default, 6 jobs taken ahead holds at most 6 + 6 + 2 Redis connections (one blocking connection per job held, the rest shared)', async (t) => {
  const redis = await startRedis();
  redises.push(redis);
  const probe = new Redis(redis.url);
  t.after(() => probe.quit());
  const slots = 6;
  const started = await worker(redis, slots);
  const held = slots + Number(started.events('worker-ready')[0]?.prefetch);
  assert.equal(held, 2 * slots, 'the default: one job taken ahead per copy slot');
  // `worker-ready` comes once every slot's connections are ready: every connection the worker opens exists.
  const clients = (await probe.client('LIST')) as string;
  const own = String(await probe.client('ID'));
  const theirs = clients
    .split('\n')
    .filter((line) => line.startsWith('id='))
    .filter((line) => !line.startsWith(`id=${own} `));
  t.diagnostic(theirs.map((line) => / name=(\S*)/.exec(line)?.[1] ?? '?').join(', '));
  assert.ok(theirs.length >= held, `one blocking connection per job held at least: ${theirs.length}`);
  assert.ok(theirs.length <= held + 2, `${theirs.length} connections for ${held} jobs held: ${theirs.join('\n')}`);
  assert.deepEqual(await started.stop(), { code: 0, signal: null });
});

test('Redis killed, then SIGTERM: the worker stops anyway, says it stopped without Redis, and exits 0', async () => {
  const redis = await startRedis();
  redises.push(redis);
  const started = await worker(redis, 2);
  await redis.kill();
  await started.waitForLog((l) => l.event === 'queue-unreachable', 'the worker to notice Redis is gone', 0, 60_000);
  started.signal('SIGTERM');
  const exit = await exitOf(started, 'the worker');
  assert.deepEqual(exit, { code: 0, signal: null }, started.stderr);
  const events = started.logs.map((l) => l.event).filter((e) => e !== undefined);
  assert.ok(events.includes('queue-abandoned'), events.join(', '));
  assert.equal(events.at(-1), 'server-stopped', events.join(', '));
  const abandoned = started.events('queue-abandoned')[0];
  assert.deepEqual([abandoned?.role, abandoned?.jobs], ['worker', 0]);
  assert.match(String(abandoned?.msg), /Redis cannot be reached/);
});

/** A worker started while its Redis is down, once it said Redis cannot be reached. */
async function workerWithoutRedis(): Promise<{ redis: TestRedis; started: SyncProcess }> {
  const redis = await startRedis();
  redises.push(redis);
  await redis.kill();
  const started = await worker(redis, 2, 'nothing');
  await started.waitForLog((l) => l.event === 'queue-unreachable', 'the worker to say Redis cannot be reached', 0, 60_000);
  return { redis, started };
}

test('Redis unreachable from the start: the worker says so and waits; SIGTERM stops it all the same (exit 0), without Redis', async () => {
  const { started } = await workerWithoutRedis();
  started.signal('SIGTERM');
  // It waited for Redis before it listened for the stop: it never exited.
  const exit = await exitOf(started, 'the worker');
  assert.deepEqual(exit, { code: 0, signal: null }, started.stderr);
  const events = started.logs.map((l) => l.event).filter((e) => e !== undefined);
  assert.ok(!events.includes('worker-ready'), events.join(', '));
  assert.deepEqual(
    events.filter((e) => ['signal', 'queue-abandoned', 'server-stopped'].includes(e)),
    ['signal', 'queue-abandoned', 'server-stopped'],
  );
});

test('Redis unreachable from the start, then back: the worker gets ready and stops cleanly (exit 0)', async () => {
  const { redis, started } = await workerWithoutRedis();
  await redis.start();
  await started.waitForLog((l) => l.event === 'worker-ready', 'the worker to take jobs once Redis answers', 0, 60_000);
  assert.deepEqual(await started.stop(), { code: 0, signal: null });
  assert.ok(!started.events('queue-abandoned').length, 'stopped with Redis, not without it');
});
