import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import type { HostEvent } from '../../src/transport/index.js';
import { pushImage, skopeoInspectRaw, type BuiltImage } from '../harness/index.js';
import { dockerImage, ociIndex } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/*
 * Per-host limits hold for every copy of an engine at once, against the real registry: the fault
 * proxy in front of the source counts the requests in flight and when each arrived, and answers
 * the 429s a real registry does not send.
 */

let index: BuiltImage;
let single: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  index = await pushImage(ociIndex, source, 'limits/index:v1');
  single = await pushImage(dockerImage, source, 'limits/single:v1');
});

const fast = { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 } };

/** Copies the index and the single image at once through one engine; the source's options are `sourceEndpoint`. */
async function copyBoth(engine: CopyEngine, tag: string, sourceEndpoint = {}): Promise<void> {
  const { sourceProxy, target } = pair;
  const results = await Promise.all([
    engine.copy({ source: `${sourceProxy.host}/limits/index:v1`, target: `${target.host}/limits/index-${tag}:v1`, sourceEndpoint }),
    engine.copy({ source: `${sourceProxy.host}/limits/single:v1`, target: `${target.host}/limits/single-${tag}:v1`, sourceEndpoint }),
  ]);
  assert.deepEqual(
    results.map((r) => r.digest),
    [index.digest, single.digest],
  );
}

test('maxConcurrent bounds the requests in flight to a host across every copy of the engine', async (t) => {
  const engine = new CopyEngine({ imageConcurrency: 8, blobConcurrency: 16 });
  t.after(() => engine.close());
  pair.sourceProxy.clearRequests();
  await copyBoth(engine, 'free');
  const unlimited = pair.sourceProxy.maxInFlight;
  // Without a limit the two copies overlap: the measure can see a limit broken.
  assert.ok(unlimited > 2, `without a limit, at most ${unlimited} in flight`);

  const limited = new CopyEngine({ imageConcurrency: 8, blobConcurrency: 16 });
  t.after(() => limited.close());
  pair.sourceProxy.clearRequests();
  await copyBoth(limited, 'limited', { maxConcurrent: 2 });
  assert.ok(pair.sourceProxy.maxInFlight <= 2, `maxConcurrent 2, yet ${pair.sourceProxy.maxInFlight} in flight`);
  assert.ok(pair.sourceProxy.count('GET', /\/blobs\//) > 2, 'blobs were read');
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/limits/index-limited:v1`, pair.target)).digest, index.digest);
});

test('requestsPerSecond paces the requests to a host', async (t) => {
  const engine = new CopyEngine();
  t.after(() => engine.close());
  pair.sourceProxy.clearRequests();
  const { sourceProxy, target } = pair;
  await engine.copy({
    source: `${sourceProxy.host}/limits/single:v1`,
    target: `${target.host}/limits/single-paced:v1`,
    sourceEndpoint: { requestsPerSecond: 2 },
  });
  const times = sourceProxy.requests.map((r) => r.at);
  // A burst of 2, then 2 a second: n requests take at least (n - 2) / 2 seconds.
  const spanMs = Math.max(...times) - Math.min(...times);
  assert.ok(times.length >= 5, `${times.length} requests`);
  assert.ok(spanMs >= ((times.length - 2) / 2) * 1000 - 100, `${times.length} requests in ${spanMs} ms`);
});

test('a 429 pauses every request to that host for its Retry-After, not only the one that got it', async (t) => {
  const hostEvents: HostEvent[] = [];
  const engine = new CopyEngine({ onHostEvent: (e) => hostEvents.push(e) });
  t.after(() => engine.close());
  const { sourceProxy, target } = pair;
  sourceProxy.clearRequests();
  sourceProxy.addFault({
    method: 'GET',
    pathPattern: /^\/v2\/limits\/single\/manifests\//,
    times: 1,
    action: { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
  });
  let sawRetry!: () => void;
  const retried = new Promise<void>((resolve) => (sawRetry = resolve));
  const onEvent = (e: CopyEvent): void => {
    if (e.type === 'retry') sawRetry();
  };
  const first = engine.copy(
    { source: `${sourceProxy.host}/limits/single:v1`, target: `${target.host}/limits/single-after429:v1`, sourceEndpoint: fast },
    { onEvent },
  );
  await retried;
  // Another copy, of another repository, starts while the host is paused: its first request waits too.
  const second = engine.copy({ source: `${sourceProxy.host}/limits/index:v1`, target: `${target.host}/limits/index-after429:v1` });
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.digest, single.digest);
  assert.equal(b.digest, index.digest);
  const throttled = sourceProxy.requests.find((r) => r.status === 429);
  assert.ok(throttled);
  const indexRequests = sourceProxy.requests.filter((r) => r.path.startsWith('/v2/limits/index/'));
  const earliest = Math.min(...indexRequests.map((r) => r.at));
  assert.ok(earliest - throttled.at >= 1900, `the other copy's first request came ${earliest - throttled.at} ms after the 429`);
  assert.deepEqual(
    hostEvents.map((e) => `${e.type}:${'reason' in e ? e.reason : ''}`),
    ['host-paused:rate-limited', 'host-resumed:rate-limited'],
  );
  assert.equal(hostEvents[0]?.host, sourceProxy.host);
});

test('connections dropped mid-request (GOAWAY-like) give their turn back: maxConcurrent 1 still finishes', async (t) => {
  const engine = new CopyEngine();
  t.after(() => engine.close());
  const { sourceProxy, target } = pair;
  t.after(() => sourceProxy.clearFaults());
  sourceProxy.clearRequests();
  // Connections dropped before any answer: each request retried on a new connection.
  sourceProxy.addFault({ method: 'GET', pathPattern: /\/blobs\//, times: 2, action: { kind: 'reset' } });
  sourceProxy.addFault({ method: 'GET', pathPattern: /\/manifests\//, times: 1, action: { kind: 'reset' } });
  const result = await engine.copy(
    {
      source: `${sourceProxy.host}/limits/single:v1`,
      target: `${target.host}/limits/single-dropped:v1`,
      sourceEndpoint: { ...fast, maxConcurrent: 1 },
    },
    // A turn not given back would hold every later request forever: fail, not hang.
    { signal: AbortSignal.timeout(60_000) },
  );
  assert.equal(result.digest, single.digest);
  assert.ok(sourceProxy.maxInFlight <= 1, `${sourceProxy.maxInFlight} in flight`);
  assert.ok(sourceProxy.requests.filter((r) => r.status === 0).length >= 3, 'the drops happened');
  assert.equal((await skopeoInspectRaw(`${target.host}/limits/single-dropped:v1`, target)).digest, single.digest);
});
