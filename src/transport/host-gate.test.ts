import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostEvent } from './host-events.js';
import { HostGate } from './host-gate.js';
import { parseRateLimit } from './quota.js';
import { TokenBucket } from './token-bucket.js';
import { Turns } from './turns.js';

const manifest = new URL('http://r.example/v2/library/app/manifests/v1');
const blob = new URL('http://r.example/v2/library/app/blobs/sha256:00');
const headers =
  (values: Record<string, string>) =>
  (name: string): string | undefined =>
    values[name];

test('Turns: at most the limit at once, in arrival order; a turn taken beside the limit does not wait, but counts while held', async () => {
  const turns = new Turns(2);
  const first = await turns.take();
  await turns.take();
  const order: number[] = [];
  const third = turns.take().then((release) => (order.push(3), release));
  const fourth = turns.take().then((release) => (order.push(4), release));
  const beside = await turns.take(undefined, false);
  assert.equal(turns.held, 3);
  assert.equal(turns.waiting, 2);
  first();
  first(); // given back once only
  await new Promise((resolve) => setImmediate(resolve));
  // The turn beside the limit counts while held: the third still waits.
  assert.deepEqual(order, []);
  beside();
  (await third)();
  await fourth;
  assert.deepEqual(order, [3, 4]);
  assert.equal(turns.held, 2);
});

test('Turns: a waiter whose signal aborts leaves the queue with the reason', async () => {
  const turns = new Turns(1);
  await turns.take();
  const controller = new AbortController();
  const waiting = turns.take(controller.signal);
  controller.abort(new Error('stopped'));
  await assert.rejects(waiting, /stopped/);
  assert.equal(turns.waiting, 0);
});

test('TokenBucket: a burst of one second, then the rate', async () => {
  const bucket = new TokenBucket(20);
  const started = Date.now();
  for (let i = 0; i < 30; i++) await bucket.take();
  // 20 at once, the next 10 at 20 per second: half a second.
  assert.ok(Date.now() - started >= 450, `30 took ${Date.now() - started} ms`);
  // Without a rate a take never waits for a timer: it settles before the next turn of the event loop
  // (a 100 ms bound failed on a loaded machine).
  const none = new TokenBucket(undefined);
  const nextTurn = (): Promise<string> => new Promise((resolve) => setImmediate(() => resolve('waited')));
  for (let i = 0; i < 1000; i++) assert.equal(await Promise.race([none.take().then(() => 'taken'), nextTurn()]), 'taken');
});

test('parseRateLimit reads Docker Hub’s `N;w=SECONDS`', () => {
  assert.deepEqual(parseRateLimit('100;w=21600'), { count: 100, windowSeconds: 21600 });
  assert.deepEqual(parseRateLimit('76'), { count: 76, windowSeconds: undefined });
  assert.equal(parseRateLimit('lots'), undefined);
  assert.equal(parseRateLimit(undefined), undefined);
});

test('HostGate: a 429 pauses every request to the host for its Retry-After, once announced', async () => {
  const events: HostEvent[] = [];
  const gate = new HostGate('r.example', {}, (event) => events.push(event));
  const pass = await gate.enter('GET', blob, undefined);
  pass.answered(429, headers({ 'retry-after': '1' }));
  pass.release();
  const started = Date.now();
  (await gate.enter('HEAD', blob, undefined)).release();
  assert.ok(Date.now() - started >= 950, `the next request waited ${Date.now() - started} ms`);
  assert.deepEqual(
    events.map((e) => e.type),
    ['host-paused', 'host-resumed'],
  );
  assert.equal(events[0]?.type === 'host-paused' && events[0].reason === 'rate-limited' && events[0].waitMs, 1000);
});

test('HostGate: manifest GETs wait at the quota reserve, HEADs and blob GETs do not; a later answer lets them go', async () => {
  const events: HostEvent[] = [];
  const gate = new HostGate('docker.io', { quotaReserve: 10 }, (event) => events.push(event));
  const get = await gate.enter('GET', manifest, undefined);
  get.answered(200, headers({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '10;w=21600' }));
  get.release();
  let admitted = false;
  const waiting = gate.enter('GET', manifest, undefined).then((pass) => ((admitted = true), pass));
  (await gate.enter('HEAD', manifest, undefined)).release();
  (await gate.enter('GET', blob, undefined)).release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(admitted, false);
  const head = await gate.enter('HEAD', manifest, undefined);
  head.answered(200, headers({ 'ratelimit-remaining': '40;w=21600' }));
  head.release();
  (await waiting).release();
  assert.deepEqual(
    events.map((e) => e.type),
    ['host-quota', 'host-paused', 'host-quota', 'host-resumed'],
  );
});

test('HostGate: a GET that waits longer than quotaWaitSeconds fails with QUOTA_EXHAUSTED', async () => {
  const gate = new HostGate('docker.io', { quotaReserve: 5, quotaWaitSeconds: 0.2 }, () => undefined);
  const get = await gate.enter('GET', manifest, undefined);
  get.answered(200, headers({ 'ratelimit-remaining': '5;w=21600' }));
  get.release();
  await assert.rejects(gate.enter('GET', manifest, undefined), {
    code: 'QUOTA_EXHAUSTED',
    message:
      'docker.io: 5 pulls left, not more than the reserve of 5 (quotaReserve); a manifest GET waited 0.2s for the quota (quotaWaitSeconds)',
  });
});

test('HostGate: the GETs not yet answered count against the quota', async () => {
  const gate = new HostGate('docker.io', { quotaReserve: 10 }, () => undefined);
  const first = await gate.enter('GET', manifest, undefined);
  first.answered(200, headers({ 'ratelimit-remaining': '12;w=60' }));
  first.release();
  // 12 left: two more GETs leave the reserve of 10; a third, with those two not yet answered, would take from it.
  const second = await gate.enter('GET', manifest, undefined);
  const third = await gate.enter('GET', manifest, undefined);
  let fourth = false;
  void gate.enter('GET', manifest, undefined).then((pass) => {
    fourth = true;
    pass.release();
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fourth, false);
  second.answered(200, headers({ 'ratelimit-remaining': '30;w=60' }));
  second.release();
  third.release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fourth, true);
});
