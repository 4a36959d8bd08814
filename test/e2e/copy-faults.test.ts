import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import { pushImage, skopeoInspectRaw, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

let built: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  built = await pushImage(ociImage, source, 'faults/app:v1');
});

async function run(targetRepo: string, options: { source?: string } = {}) {
  const engine = new CopyEngine();
  const events: CopyEvent[] = [];
  try {
    const result = await engine.copy(
      {
        source: options.source ?? `${pair.sourceProxy.host}/faults/app:v1`,
        target: `${pair.targetProxy.host}/${targetRepo}:v1`,
        sourceEndpoint: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
        targetEndpoint: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
      },
      { onEvent: (e) => events.push(e) },
    );
    return { result, events };
  } finally {
    await engine.close();
  }
}

test('429 with Retry-After is waited out and retried', async () => {
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: /\/manifests\//,
    times: 2,
    action: { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
  });
  const { result, events } = await run('faults/ratelimited');
  assert.equal(result.digest, built.digest);
  const retries = events.filter((e) => e.type === 'retry');
  assert.equal(retries.length, 2);
  assert.match(JSON.stringify(retries[0]), /HTTP 429/);
});

test('503 on a blob HEAD and a reset connection are retried', async () => {
  pair.targetProxy.addFault({ method: 'HEAD', pathPattern: /\/blobs\//, times: 1, action: { kind: 'status', status: 503 } });
  pair.sourceProxy.addFault({ method: 'HEAD', pathPattern: /\/manifests\//, times: 1, action: { kind: 'reset' } });
  const { result } = await run('faults/flaky');
  assert.equal(result.digest, built.digest);
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/faults/flaky:v1`, pair.target)).digest, built.digest);
});

test('a manifest PUT answered 400 DIGEST_INVALID (a blob link rewritten by another process meanwhile) is sent again', async () => {
  // distribution 2.8 answers so while another process pushes a layer of the image into the same repository.
  pair.targetProxy.addFault({
    method: 'PUT',
    pathPattern: /\/manifests\/v1$/,
    times: 1,
    action: {
      kind: 'status',
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }] }),
    },
  });
  const { result, events } = await run('faults/link-race');
  assert.equal(result.digest, built.digest);
  assert.equal(pair.targetProxy.count('PUT', /\/faults\/link-race\/manifests\/v1$/), 2, 'the PUT was sent twice');
  assert.deepEqual(
    events.flatMap((e) => (e.type === 'retry' ? [[e.method, e.attempt]] : [])),
    [['PUT', 1]],
  );
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/faults/link-race:v1`, pair.target)).digest, built.digest);
});

test('a blob download cut mid-stream is resumed with a Range request from the byte it reached, never replayed half-read', async () => {
  const big = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${big.digest}`),
    times: 1,
    action: { kind: 'truncate', afterBytes: 100_000 },
  });
  pair.sourceProxy.clearRequests();
  const { result, events } = await run('faults/cut');
  assert.equal(result.digest, built.digest);
  const gets = pair.sourceProxy.requests.filter((r) => r.method === 'GET' && r.path.includes(`/blobs/${big.digest}`));
  assert.deepEqual(
    gets.map((r) => [r.headers.range, r.bytesOut]),
    [
      [undefined, 100_000],
      ['bytes=100000-', big.size - 100_000],
    ],
    'cut once, then the rest only',
  );
  assert.deepEqual(
    events.filter((e) => e.type === 'blob-resumed').map((e) => [e.side, e.offset]),
    [['source', 100_000]],
  );
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/faults/cut:v1`, pair.target)).digest, built.digest);
});

test('a source that ignores Range (answers 200) is restarted from the start instead', async () => {
  const big = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  const blobGets = new RegExp(`/blobs/${big.digest}`);
  pair.sourceProxy.addFault({ method: 'GET', pathPattern: blobGets, times: 1, action: { kind: 'truncate', afterBytes: 100_000 } });
  // The resumed GET gets the whole blob with 200, as from a server without range support.
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: blobGets,
    times: 1,
    action: { kind: 'status', status: 200, headers: { 'content-type': 'application/octet-stream' }, body: 'not the range asked for' },
  });
  pair.sourceProxy.clearRequests();
  const { result } = await run('faults/norange');
  assert.equal(result.digest, built.digest);
  const gets = pair.sourceProxy.requests.filter((r) => r.method === 'GET' && blobGets.test(r.path));
  assert.deepEqual(
    gets.map((r) => r.headers.range),
    [undefined, 'bytes=100000-', undefined],
    'cut, range refused, then the whole blob again',
  );
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/faults/norange:v1`, pair.target)).digest, built.digest);
});

test('a blob that keeps failing fails the image, and nothing is tagged at the target', async () => {
  const big = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${big.digest}`),
    times: 100,
    action: { kind: 'truncate', afterBytes: 1000 },
  });
  try {
    await assert.rejects(run('faults/broken'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'NETWORK');
      return true;
    });
  } finally {
    pair.sourceProxy.clearFaults();
  }
  assert.equal(
    pair.targetProxy.requests.some((r) => r.method === 'PUT' && r.path.includes('/faults/broken/manifests/')),
    false,
    'no manifest PUT',
  );
  await assert.rejects(skopeoInspectRaw(`${pair.target.host}/faults/broken:v1`, pair.target));
});

test('an answer without a body (HEAD) reads as method, URL, status and reason phrase, once', async () => {
  pair.sourceProxy.addFault({ method: 'HEAD', pathPattern: /\/manifests\//, times: 100, action: { kind: 'status', status: 429 } });
  try {
    await assert.rejects(run('faults/head429'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TOO_MANY_REQUESTS');
      assert.equal(error.message, `HEAD http://${pair.sourceProxy.host}/v2/faults/app/manifests/v1: 429 Too Many Requests`);
      return true;
    });
  } finally {
    pair.sourceProxy.clearFaults();
  }
});

test('a source tag that does not exist is a clear IMAGE_NOT_FOUND error', async () => {
  await assert.rejects(run('faults/missing', { source: `${pair.source.host}/faults/app:nope` }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'IMAGE_NOT_FOUND');
    assert.equal(
      error.message,
      `image ${pair.source.host}/faults/app:nope not found: repository ${pair.source.host}/faults/app has no tag "nope"`,
    );
    return true;
  });
});

test('an unreachable registry is a NETWORK error naming the address', async (t) => {
  const engine = new CopyEngine();
  t.after(() => engine.close());
  await assert.rejects(
    engine.copy({
      source: '127.0.0.1:9/faults/app:v1',
      target: `${pair.target.host}/faults/unreachable:v1`,
      sourceEndpoint: { retry: { maxAttempts: 2, baseDelayMs: 10 } },
    }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'NETWORK');
      assert.match(error.message, /127\.0\.0\.1:9/);
      assert.match(error.message, /ECONNREFUSED/);
      return true;
    },
  );
});
