import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../harness/index.js';
import { BlobClaims } from '../../src/queue/blob-claims.js';
import { blobUploadKey } from '../../src/queue/queue-names.js';
import { until } from './sync-kit.js';

/*
 * The blob uploads workers share (blob-claims.ts) against a real redis-server: one holder of
 * `host@digest` at a time, a waiter that gets it once the holder frees it (or its claim lapses),
 * a wait that ends with its signal, sightings newest first, and an unreachable Redis failing at once.
 */

let server: TestRedis;
let redis: Redis;
before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
after(async () => {
  (redis as Redis | undefined)?.disconnect();
  await (server as TestRedis | undefined)?.stop();
});

const HOST = 'registry.example:5000';
const digest = (n: number): string => `sha256:${String(n).padStart(64, '0')}`;

/** SET commands Redis has run so far: a waiter's first refused SET NX shows it waits. */
async function setsRun(): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/cmdstat_set:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

test('one holder per host@digest: a second waits, and gets it (waited) once the first frees it', async (t) => {
  const settings = { name: 'claims-free' };
  const first = new BlobClaims(redis, settings);
  const other = redis.duplicate();
  t.after(() => other.disconnect());
  const second = new BlobClaims(other, settings);
  const held = await first.claimUpload(HOST, digest(1), undefined);
  assert.equal(held.waited, false);
  // Another digest, or another host, is not held.
  (await first.claimUpload(HOST, digest(2), undefined)).release();
  (await first.claimUpload('other.example', digest(1), undefined)).release();
  const before = await setsRun();
  let done = false;
  const waiting = second.claimUpload(HOST, digest(1), undefined).finally(() => (done = true));
  await until(async () => (await setsRun()) > before, 'the second to be refused once', 60_000);
  assert.equal(done, false, 'refused while the first holds it');
  held.release();
  const got = await waiting;
  assert.equal(got.waited, true);
  got.release();
  await until(async () => (await redis.exists(blobUploadKey(settings, HOST, digest(1)))) === 0, 'the claim to be freed', 60_000);
});

test("a holder whose claim lapsed (deleted here, as its expiry would) frees nothing of the next holder's", async () => {
  const settings = { name: 'claims-lapse' };
  const claims = new BlobClaims(redis, settings);
  const key = blobUploadKey(settings, HOST, digest(3));
  const dead = await claims.claimUpload(HOST, digest(3), undefined);
  assert.ok((await redis.pttl(key)) > 0, 'the claim expires by itself');
  await redis.del(key);
  const next = await claims.claimUpload(HOST, digest(3), undefined);
  assert.equal(next.waited, false);
  const token = await redis.get(key);
  dead.release();
  // The late release is a script run after the GET above: once a later command answers, it ran.
  await redis.ping();
  assert.equal(await redis.get(key), token, "the next holder's claim stays");
  next.release();
});

test('a wait ends when its signal aborts, without taking the claim', async () => {
  const settings = { name: 'claims-abort' };
  const claims = new BlobClaims(redis, settings);
  const held = await claims.claimUpload(HOST, digest(4), undefined);
  const before = await setsRun();
  const stop = new AbortController();
  const waiting = claims.claimUpload(HOST, digest(4), stop.signal);
  await until(async () => (await setsRun()) > before, 'the waiter to be refused once', 60_000);
  stop.abort(new Error('copy stopped'));
  await assert.rejects(waiting, /copy stopped/);
  held.release();
});

test('sightings: per host and digest, newest first, one entry per repository', async () => {
  const claims = new BlobClaims(redis, { name: 'claims-seen' });
  assert.deepEqual(await claims.sightings(HOST, digest(5)), []);
  await claims.sighted(HOST, digest(5), 'mirror/a');
  await claims.sighted(HOST, digest(5), 'mirror/b');
  await claims.sighted(HOST, digest(5), 'mirror/b');
  await claims.sighted('other.example', digest(5), 'mirror/c');
  const seen = await claims.sightings(HOST, digest(5));
  assert.deepEqual([...seen].sort(), ['mirror/a', 'mirror/b']);
  assert.deepEqual(await claims.sightings('other.example', digest(5)), ['mirror/c']);
});

test('Redis unreachable: every call fails at once (the copier then uploads on its own)', async () => {
  const claims = new BlobClaims(redis, { name: 'claims-down' }, () => false);
  await assert.rejects(claims.claimUpload(HOST, digest(6), undefined), /unreachable/);
  await assert.rejects(claims.sightings(HOST, digest(6)), /unreachable/);
  await assert.rejects(claims.sighted(HOST, digest(6), 'mirror/a'), /unreachable/);
});
