import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startedSoFar, startRedis, type TestRedis } from '../harness/index.js';
import { HostGates, type HostEvent } from '../../src/transport/index.js';
import type { QueueEvent } from '../../src/queue/queue-events.js';
import { SharedPauses } from '../../src/queue/shared-pauses.js';
import { hostPauseKey } from '../../src/queue/queue-names.js';

/*
 * A second 429 that lengthens a running pause at one worker reaches the others too: two workers'
 * host gates and shared pauses on a real redis-server (the 429s are told to the gate as a
 * registry's answers would be: a real registry never answers 429). Pauses of minutes, never
 * waited for: the test reads the key's expiry and what each side was told, not clocks.
 */

let redis: TestRedis;
before(async () => {
  redis = await startRedis();
});
after(() => startedSoFar({ redis }).redis?.stop());

const HOST = 'registry.example:5000';
const blob = new URL(`http://${HOST}/v2/library/app/blobs/sha256:00`);

/** One worker's side: its host gates (its engine's) and its shared pauses on its own Redis connections. */
async function workerSide(name: string) {
  const connection = new Redis(redis.url);
  const subscriber = new Redis(redis.url);
  const gates = new HostGates();
  const told: QueueEvent[] = [];
  const hosts = {
    onHostEvent: (listener: (event: HostEvent) => void) => gates.listen(listener),
    pauseHost: (host: string, waitMs: number) => gates.pause(host, waitMs),
  };
  const pauses = new SharedPauses(connection, { name: 'lengthened' }, hosts, name, (event) => told.push(event));
  subscriber.on('message', (_channel: string, message: string) => pauses.heard(message));
  await subscriber.subscribe(pauses.channel);
  const close = async (): Promise<void> => {
    pauses.close();
    await Promise.all([connection.quit(), subscriber.quit()]);
  };
  return { gates, told, connection, subscriber, close };
}

type Side = Awaited<ReturnType<typeof workerSide>>;

/**
 * What `to` was told once `from`'s sharing of its latest 429 (if any) is done: a round trip on
 * `from`'s connection after the pause is stored, another after it is announced (one connection
 * answers in order), then one on `to`'s subscriber (the announcement reached it before that answer).
 */
async function toldAfter(from: Side, to: Side): Promise<QueueEvent[]> {
  await from.connection.ping();
  await from.connection.ping();
  await to.subscriber.ping();
  return to.told.filter((e) => e.type === 'host-pause-shared');
}

test('a second 429 lengthening the pause at one worker: the key in Redis lasts the longer pause, and the other worker is told and holds as long', async (t) => {
  const [alpha, bravo] = [await workerSide('alpha'), await workerSide('bravo')];
  const probe = new Redis(redis.url);
  t.after(() => Promise.all([alpha.close(), bravo.close(), probe.quit()]));
  const gate = alpha.gates.gate(HOST);
  // Two requests in flight at alpha: the first answer is a 429 of 2 minutes, the second one of 20.
  const [first, second] = [await gate.enter('GET', blob, undefined), await gate.enter('GET', blob, undefined)];
  first.answered(429, (name) => (name === 'retry-after' ? '120' : undefined));
  first.release();
  const [shortPause] = await toldAfter(alpha, bravo);
  assert.ok(shortPause?.type === 'host-pause-shared' && shortPause.waitMs === 120_000 && shortPause.from === 'alpha');
  const key = hostPauseKey({ name: 'lengthened' }, HOST);
  assert.ok((await probe.pttl(key)) > 0, 'the first pause is stored');

  second.answered(429, (name) => (name === 'retry-after' ? '1200' : undefined));
  second.release();
  const told = await toldAfter(alpha, bravo);
  assert.equal(told.length, 2, 'bravo was told of the longer pause');
  const longer = told[1];
  assert.ok(longer?.type === 'host-pause-shared' && longer.waitMs === 1_200_000 && longer.from === 'alpha', JSON.stringify(told));
  assert.ok((await probe.pttl(key)) > 120_000, 'the stored pause lasts the longer one');
  // Bravo's own requests to the host wait (for the 20 minutes): one is sent and aborted, never let through.
  const stop = new AbortController();
  const held = bravo.gates.gate(HOST).enter('GET', blob, stop.signal);
  const outcome = Promise.race([held.then(() => 'sent'), new Promise((resolve) => setImmediate(() => resolve('waiting')))]);
  assert.equal(await outcome, 'waiting');
  stop.abort(new Error('stopped'));
  await assert.rejects(held, /stopped|aborted/);
});
