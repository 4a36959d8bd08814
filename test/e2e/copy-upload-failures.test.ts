import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import { pushImage, skopeoInspectRaw, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/*
 * The target refuses a blob upload (the PUT that carries the bytes): the failure is the target's,
 * said with the target's own answer, retried with backoff only when it is transient.
 */

let built: BuiltImage;
let big: { digest: string; size: number };
const pair = useProxiedPair(async ({ source }) => {
  built = await pushImage(ociImage, source, 'upload/app:v1');
  big = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
});

/** The PUT that uploads the big layer (its digest is in the query, `:` escaped or not). */
const bigPut = () => new RegExp(`/blobs/uploads/.*digest=sha256(%3A|:)${big.digest.slice('sha256:'.length)}`);

async function run(repo: string): Promise<{ outcome: unknown; events: CopyEvent[]; ms: number }> {
  const engine = new CopyEngine();
  const events: CopyEvent[] = [];
  const started = Date.now();
  try {
    const outcome = await engine
      .copy(
        {
          source: `${pair.source.host}/upload/app:v1`,
          target: `${pair.targetProxy.host}/${repo}:v1`,
          targetEndpoint: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
        },
        { onEvent: (e) => events.push(e) },
      )
      .catch((error: unknown) => error);
    return { outcome, events, ms: Date.now() - started };
  } finally {
    await engine.close();
    pair.targetProxy.clearFaults();
  }
}

const blobRetries = (events: CopyEvent[]) => events.filter((e) => e.type === 'retry' && e.url.includes(big.digest));

test('3x 503 on the upload PUT: the target is named with its own answer, not the source; attempts are spaced', async () => {
  pair.targetProxy.addFault({ method: 'PUT', pathPattern: bigPut(), times: 3, action: { kind: 'status', status: 503 } });
  pair.targetProxy.clearRequests();
  const { outcome, events } = await run('upload/unavailable');
  const error = outcome as Error & { code?: string; status?: number };
  assert.ok(error instanceof Error, `expected a failure, got ${JSON.stringify(outcome)}`);
  assert.equal(error.code, 'HTTP', error.message);
  assert.equal(error.status, 503);
  assert.match(error.message, new RegExp(`^target ${pair.targetProxy.host}/upload/unavailable: upload of blob ${big.digest} failed: PUT `));
  assert.match(error.message, /503 Service Unavailable: INJECTED: injected HTTP 503/);
  assert.doesNotMatch(error.message, /GET|PREMATURE_CLOSE/);
  assert.equal(pair.targetProxy.count('PUT', bigPut()), 3, 'three whole-blob attempts');
  const retries = blobRetries(events);
  assert.equal(retries.length, 2, 'a retry event before each new attempt');
  for (const r of retries) assert.ok(r.type === 'retry' && r.delayMs > 0 && r.reason.includes('503'), JSON.stringify(r));
  await assert.rejects(skopeoInspectRaw(`${pair.target.host}/upload/unavailable:v1`, pair.target), 'nothing tagged');
});

test('429 with Retry-After: 1 on the upload PUT is waited out between whole-blob attempts, then the copy succeeds', async () => {
  pair.targetProxy.addFault({
    method: 'PUT',
    pathPattern: bigPut(),
    times: 2,
    action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
  });
  pair.targetProxy.clearRequests();
  const { outcome, events, ms } = await run('upload/limited');
  assert.equal((outcome as { digest?: string }).digest, built.digest, String(outcome));
  const retries = blobRetries(events);
  assert.deepEqual(
    retries.map((r) => r.type === 'retry' && r.delayMs),
    [1000, 1000],
    'Retry-After is honoured',
  );
  assert.ok(ms >= 2000, `two waits of one second each (took ${ms} ms)`);
  assert.equal(pair.targetProxy.count('PUT', bigPut()), 3);
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/upload/limited:v1`, pair.target)).digest, built.digest);
});

for (const [status, code, said] of [
  [403, 'DENIED', /access denied/],
  [413, 'HTTP', /413 Content Too Large: INJECTED: injected HTTP 413/],
] as const) {
  test(`${status} on the upload PUT fails at once, saying what the target said`, async () => {
    pair.targetProxy.addFault({ method: 'PUT', pathPattern: bigPut(), times: 3, action: { kind: 'status', status } });
    pair.targetProxy.clearRequests();
    const { outcome, events } = await run(`upload/refused${status}`);
    const error = outcome as Error & { code?: string };
    assert.ok(error instanceof Error, `expected a failure, got ${JSON.stringify(outcome)}`);
    assert.equal(error.code, code, error.message);
    assert.match(
      error.message,
      new RegExp(`^target ${pair.targetProxy.host}/upload/refused${status}: upload of blob ${big.digest} failed: `),
    );
    assert.match(error.message, said);
    assert.match(error.message, /INJECTED/);
    assert.equal(pair.targetProxy.count('PUT', bigPut()), 1, 'not retried: a 4xx other than 408/429 is not transient');
    assert.equal(blobRetries(events).length, 0);
  });
}
