import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import { pushImage, skopeoInspectRaw, startFaultProxy, startRegistry, type BuiltImage, type FaultProxy, type TestRegistry } from '../harness/index.js';
import { ociImage } from './fixtures.js';

let source: TestRegistry;
let target: TestRegistry;
let sourceProxy: FaultProxy;
let targetProxy: FaultProxy;
let built: BuiltImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  [sourceProxy, targetProxy] = await Promise.all([startFaultProxy(source), startFaultProxy(target)]);
  built = await pushImage(ociImage, source, 'faults/app:v1');
});

after(async () => {
  await Promise.all([sourceProxy?.close(), targetProxy?.close()]);
  await Promise.all([source?.stop(), target?.stop()]);
});

async function run(targetRepo: string, options: { source?: string } = {}) {
  const engine = new CopyEngine();
  const events: CopyEvent[] = [];
  engine.subscribe((e) => events.push(e));
  try {
    const result = await engine.copy({
      source: options.source ?? `${sourceProxy.host}/faults/app:v1`,
      target: `${targetProxy.host}/${targetRepo}:v1`,
      sourceEndpoint: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
      targetEndpoint: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
    });
    return { result, events };
  } finally {
    await engine.close();
  }
}

test('429 with Retry-After is waited out and retried', async () => {
  sourceProxy.addFault({ method: 'GET', pathPattern: /\/manifests\//, times: 2, action: { kind: 'status', status: 429, headers: { 'retry-after': '0' } } });
  const { result, events } = await run('faults/ratelimited');
  assert.equal(result.digest, built.digest);
  const retries = events.filter((e) => e.type === 'retry');
  assert.equal(retries.length, 2);
  assert.match(JSON.stringify(retries[0]), /HTTP 429/);
});

test('503 on a blob HEAD and a reset connection are retried', async () => {
  targetProxy.addFault({ method: 'HEAD', pathPattern: /\/blobs\//, times: 1, action: { kind: 'status', status: 503 } });
  sourceProxy.addFault({ method: 'HEAD', pathPattern: /\/manifests\//, times: 1, action: { kind: 'reset' } });
  const { result } = await run('faults/flaky');
  assert.equal(result.digest, built.digest);
  assert.equal((await skopeoInspectRaw(`${target.host}/faults/flaky:v1`, target)).digest, built.digest);
});

test('a blob download cut mid-stream is restarted from the start, never replayed half-read', async () => {
  const big = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  sourceProxy.addFault({ method: 'GET', pathPattern: new RegExp(`/blobs/${big.digest}`), times: 1, action: { kind: 'truncate', afterBytes: 100_000 } });
  sourceProxy.clearRequests();
  const { result } = await run('faults/cut');
  assert.equal(result.digest, built.digest);
  assert.equal(sourceProxy.count('GET', new RegExp(`/blobs/${big.digest}`)), 2, 'downloaded once cut, then once whole');
  assert.equal((await skopeoInspectRaw(`${target.host}/faults/cut:v1`, target)).digest, built.digest);
});

test('a blob that keeps failing fails the image, and nothing is tagged at the target', async () => {
  const big = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  sourceProxy.addFault({ method: 'GET', pathPattern: new RegExp(`/blobs/${big.digest}`), times: 100, action: { kind: 'truncate', afterBytes: 1000 } });
  try {
    await assert.rejects(run('faults/broken'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'NETWORK');
      return true;
    });
  } finally {
    sourceProxy.clearFaults();
  }
  assert.equal(targetProxy.requests.some((r) => r.method === 'PUT' && r.path.includes('/faults/broken/manifests/')), false, 'no manifest PUT');
  await assert.rejects(skopeoInspectRaw(`${target.host}/faults/broken:v1`, target));
});

test('a source tag that does not exist is a clear IMAGE_NOT_FOUND error', async () => {
  await assert.rejects(run('faults/missing', { source: `${source.host}/faults/app:nope` }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'IMAGE_NOT_FOUND');
    assert.equal(error.message, `image ${source.host}/faults/app:nope not found`);
    return true;
  });
});

test('an unreachable registry is a NETWORK error naming the address', async () => {
  const engine = new CopyEngine();
  try {
    await assert.rejects(
      engine.copy({ source: '127.0.0.1:9/faults/app:v1', target: `${target.host}/faults/unreachable:v1`, sourceEndpoint: { retry: { maxAttempts: 2, baseDelayMs: 10 } } }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'NETWORK');
        assert.match(error.message, /127\.0\.0\.1:9/);
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      },
    );
  } finally {
    await engine.close();
  }
});
