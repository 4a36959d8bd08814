import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { apiPort, idleRegistry, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * A `sync` server's name among the servers of a queue is its host name and state.path. Two live
 * servers of one name would count each other's runs as their own: the second one refuses to start
 * and says what to change, leaving the first one's alive key alone. A name a killed server left is
 * taken over once its alive key lapses; a name a stopped server gave up is taken at once.
 */

let redis: TestRedis;
let client: Redis | undefined;
const processes: SyncProcess[] = [];

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  client?.disconnect();
  await redis.stop();
});

test('a second live server of the same host name and state.path stops with an error naming the name and what to change; the first goes on', async () => {
  const shared = await makeTempDir('queue-server-names');
  const statePath = join(shared, 'state.db');
  const start = async (home: string, waitFor: 'api' | 'nothing'): Promise<SyncProcess> => {
    const port = await apiPort();
    const config = {
      registries: [idleRegistry],
      api: { enabled: true, port },
      state: { path: statePath },
      sync: { runOnStart: false, gracePeriodSeconds: 5 },
      queue: { url: redis.url },
    };
    const server = await startSync(await writeConfig(home, config), { port, cwd: home, waitFor });
    processes.push(server);
    return server;
  };
  const name = `${hostname()}:${statePath}`;
  const aliveKey = `picture-book:sync-server:${name}`;
  client = new Redis(redis.url);

  const first = await start(await makeTempDir('queue-server-names-a'), 'api');
  const held = await client.get(aliveKey);
  assert.ok(held, 'the first server says it is alive under its name');
  const second = await start(await makeTempDir('queue-server-names-b'), 'nothing');
  // It either stops (the check) or starts serving as a namesake (no check): either ends the wait.
  let ended: { code: number | null } | undefined;
  void second.exited.then((exit) => (ended = exit));
  const outcome = await until(
    () => ended ?? (second.logs.some((l) => l.event === 'api-listening') ? 'listening' : undefined),
    'the second server to stop or listen',
    120_000,
  );
  if (outcome === 'listening') assert.fail('the second server of the name must not start');
  assert.notEqual(outcome.code, 0, second.stderr);
  assert.ok(second.stderr.includes(name), `the error names the server name: ${second.stderr}`);
  assert.match(second.stderr, /state\.path/);
  assert.match(second.stderr, /another live sync server/);
  assert.ok(
    second.logs.some((l) => l.event === 'server-warning' && String(l.message).includes('waiting')),
    'it said it waited for the other',
  );
  assert.equal(second.logs.filter((l) => l.event === 'api-listening').length, 0, 'it never said it was ready');
  // The first one is untouched: its key (its token) is still there, renewed, and its API answers.
  assert.equal((await client.get(aliveKey))?.split(' ')[0], held.split(' ')[0]);
  assert.equal((await first.api('/livez')).status, 200);

  // The first one killed: its key lapses (no goodbye), then a server of the name starts and takes it.
  await first.kill();
  const again = await start(await makeTempDir('queue-server-names-c'), 'api');
  const taken = await client.get(aliveKey);
  assert.ok(taken);
  assert.notEqual(taken.split(' ')[0], held.split(' ')[0], 'another process holds the name now');
  // Stopped, it gives its name up: the next one starts without waiting.
  assert.equal((await again.stop()).code, 0);
  assert.equal(await client.get(aliveKey), null, 'a stopped server removes its key');
  const last = await start(await makeTempDir('queue-server-names-d'), 'api');
  assert.equal(last.logs.filter((l) => l.event === 'server-warning' && String(l.message).includes('waiting')).length, 0);
});

test("a server whose name another process took meanwhile logs server-name-lost, answers 503 on /healthz and leaves the other's key alone", async () => {
  const home = await makeTempDir('queue-server-names-lost');
  const statePath = join(home, 'state.db');
  const port = await apiPort();
  const config = {
    registries: [idleRegistry],
    api: { enabled: true, port },
    state: { path: statePath },
    sync: { runOnStart: false, gracePeriodSeconds: 5 },
    queue: { url: redis.url, name: 'names-lost' },
  };
  const server = await startSync(await writeConfig(home, config), { port, cwd: home });
  processes.push(server);
  const name = `${hostname()}:${statePath}`;
  const aliveKey = `names-lost:sync-server:${name}`;
  client ??= new Redis(redis.url);
  const own = await client.get(aliveKey);
  assert.ok(own);
  assert.deepEqual((await server.api('/healthz')).json, { status: 'ok', queue: 'reachable' });

  // Its key lapsed (the process was paused) and another process took the name: the next renewal (10 s) finds it.
  const other = 'another-process-token 1';
  await client.set(aliveKey, other);
  const outcome = await until(
    async () =>
      server.logs.find((l) => l.event === 'server-name-lost') ?? ((await client?.get(aliveKey)) !== other ? 'overwritten' : undefined),
    'the loss to be logged or the key written over',
    60_000,
  );
  if (outcome === 'overwritten') assert.fail("the renewal wrote over the other process's key");
  assert.equal(outcome.level, 'error');
  assert.equal(outcome.server, name);
  assert.equal(outcome.queue, 'names-lost');
  assert.match(outcome.msg, /state\.path/);
  assert.match(outcome.msg, /stop this one/);
  assert.equal(await client.get(aliveKey), other);
  const health = await server.api('/healthz');
  assert.equal(health.status, 503);
  assert.deepEqual(health.json, { status: 'unavailable', serverName: 'lost' });
  assert.equal((await server.api('/livez')).status, 200, 'alive: a liveness probe does not restart it');
  // Stopped, it leaves the other's key.
  assert.equal((await server.stop()).code, 0);
  assert.equal(await client.get(aliveKey), other);
  assert.equal(server.events('server-name-lost').length, 1);
});
