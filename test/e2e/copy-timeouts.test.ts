import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { TimeoutError } from '../../src/errors/index.js';
import type { Timeouts } from '../../src/transport/index.js';
import { pushImage, type BuiltImage, type ImageSpec } from '../harness/index.js';
import { baseLayer } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/**
 * A registry that sends headers and then one byte every few seconds must not hold a copy: small
 * bodies have a total deadline, blobs (both ways) a minimum rate. Each case asserts the copy ends
 * with a typed timeout error within the configured bound (a bound on the wall time, not a sleep).
 */
const MiB = 1024 * 1024;
// Larger than what the kernel's socket buffers on both ends of a loopback connection can absorb.
const bigImage: ImageSpec = {
  kind: 'image',
  format: 'oci',
  layers: [baseLayer, { seed: 'timeouts-big', size: 24 * MiB }],
  platform: { os: 'linux', architecture: 'amd64' },
};
const BLOB_ATTEMPTS = 3; // the blob copier restarts a broken or stalled blob this many times in all
// Generous: on a loaded machine filling socket buffers and restarting attempts took 28 s where 14 s was
// budgeted; without the deadlines these copies would hang until the test's own timeout (60 s).
const MARGIN_MS = 30_000;

let built: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  built = await pushImage(bigImage, source, 'timeouts/app:v1');
});

const biggest = () => built.blobs.reduce((a, b) => (b.size > a.size ? b : a));

async function timedCopy(targetRepo: string, timeouts: Partial<Timeouts>) {
  const engine = new CopyEngine({ timeouts });
  const started = Date.now();
  try {
    await engine.copy({
      source: `${pair.sourceProxy.host}/timeouts/app:v1`,
      target: `${pair.targetProxy.host}/${targetRepo}:v1`,
      sourceEndpoint: { retry: { maxAttempts: 1 } },
      targetEndpoint: { retry: { maxAttempts: 1 } },
    });
    return { error: undefined, elapsedMs: Date.now() - started };
  } catch (error) {
    return { error: error as Error & { code?: string }, elapsedMs: Date.now() - started };
  } finally {
    await engine.close();
    pair.sourceProxy.clearFaults();
    pair.targetProxy.clearFaults();
    pair.sourceProxy.release();
    pair.targetProxy.release();
  }
}

function assertNotTagged(repo: string): void {
  assert.equal(
    pair.targetProxy.requests.some((r) => r.method === 'PUT' && r.path.includes(`/${repo}/manifests/`)),
    false,
    'no manifest PUT',
  );
}

test('a manifest that trickles in ends with a TIMEOUT error once the read deadline passes', { timeout: 60_000 }, async () => {
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: /\/manifests\//,
    times: 1,
    action: { kind: 'trickle', afterBytes: 10, bytes: 1, everyMs: 200 },
  });
  const readMs = 1_500;
  const { error, elapsedMs } = await timedCopy('timeouts/manifest', { readMs });
  assert.ok(error instanceof TimeoutError, String(error));
  assert.equal(error.code, 'TIMEOUT');
  assert.match(
    error.message,
    /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/timeouts\/app\/manifests\/sha256:[0-9a-f]{64}: the answer's body did not arrive within 1\.5 s \(timeouts\.readSeconds; copy: --read-timeout\)$/,
  );
  assert.ok(elapsedMs < readMs + MARGIN_MS, `ended after ${elapsedMs} ms`);
  assertNotTagged('timeouts/manifest');
});

test('a blob download that trickles in ends with a TIMEOUT error under the minimum rate', { timeout: 60_000 }, async () => {
  const blob = biggest();
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${blob.digest}`),
    times: 10,
    action: { kind: 'trickle', afterBytes: 1000, bytes: 10, everyMs: 100 },
  });
  const blobIntervalMs = 1_000;
  const { error, elapsedMs } = await timedCopy('timeouts/download', { blobMinBytes: 4096, blobIntervalMs });
  assert.ok(error instanceof TimeoutError, String(error));
  // The side that failed first, then the request: the source's download, not the upload it fed.
  assert.match(
    error.message,
    new RegExp(
      `^source 127\\.0\\.0\\.1:\\d+/timeouts/app: download of blob ${blob.digest} failed: GET http://127\\.0\\.0\\.1:\\d+/v2/timeouts/app/blobs/${blob.digest}: download stalled: \\d+ bytes in 1 s, under the minimum of 4096 bytes per 1 s`,
    ),
  );
  // Each attempt ends at the latest two intervals after its last good one.
  assert.ok(elapsedMs < BLOB_ATTEMPTS * 2 * blobIntervalMs + MARGIN_MS, `ended after ${elapsedMs} ms`);
  assertNotTagged('timeouts/download');
});

test(
  'an upload the target stops reading ends with a TIMEOUT error blamed on the target, not on the source',
  { timeout: 60_000 },
  async () => {
    // Only the big blob: a smaller one fits whole in the socket buffers, and its wait for an answer is the response timeout's.
    const hex = biggest().digest.slice('sha256:'.length);
    pair.targetProxy.addFault({
      method: 'PUT',
      pathPattern: new RegExp(`digest=sha256%3A${hex}`),
      times: 10,
      action: { kind: 'stallUpload', afterBytes: 64 * 1024 },
    });
    const blobIntervalMs = 1_000;
    const { error, elapsedMs } = await timedCopy('timeouts/upload', { blobMinBytes: 4096, blobIntervalMs });
    assert.ok(error instanceof TimeoutError, String(error));
    assert.match(
      error.message,
      /^target 127\.0\.0\.1:\d+\/timeouts\/upload: upload of blob sha256:[0-9a-f]{64} failed: PUT http:\/\/127\.0\.0\.1:\d+\/v2\/timeouts\/upload\/blobs\/uploads\/\S+: upload stalled: the registry took \d+ bytes in 1 s/,
    );
    assert.doesNotMatch(error.message, /_state=(?!\*\*\*)/, 'the upload state stays out of messages');
    // Filling the socket buffers takes a moment; then each attempt ends within two intervals.
    assert.ok(elapsedMs < BLOB_ATTEMPTS * 3 * blobIntervalMs + MARGIN_MS, `ended after ${elapsedMs} ms`);
    assertNotTagged('timeouts/upload');
  },
);

test(
  'with the same limits and no fault, the copy goes through (the limits do not fire on healthy transfers)',
  { timeout: 60_000 },
  async () => {
    const { error } = await timedCopy('timeouts/healthy', { readMs: 1_500, blobMinBytes: 4096, blobIntervalMs: 1_000 });
    assert.equal(error, undefined);
  },
);

const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, elapsedMs: Date.now() - started });
      },
    );
  });
}

test('copy --read-timeout: the flag sets the deadline; a bad value is a usage error', { timeout: 60_000 }, async () => {
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: /\/manifests\//,
    times: 1,
    action: { kind: 'trickle', afterBytes: 10, bytes: 1, everyMs: 200 },
  });
  try {
    const run = await cli([
      'copy',
      '--read-timeout',
      '1.5',
      `${pair.sourceProxy.host}/timeouts/app:v1`,
      `${pair.targetProxy.host}/timeouts/cli:v1`,
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /^picture-book: error: GET \S+: the answer's body did not arrive within 1\.5 s \(timeouts\.readSeconds; copy: --read-timeout\)\n$/,
    );
    assert.ok(run.elapsedMs < 1_500 + MARGIN_MS, `ended after ${run.elapsedMs} ms`);
  } finally {
    pair.sourceProxy.clearFaults();
  }
  for (const bad of [
    ['--read-timeout', '0'],
    ['--blob-min-rate', '64k'],
    ['--connect-timeout', 'soon'],
  ]) {
    const run = await cli(['copy', ...bad, `${pair.sourceProxy.host}/timeouts/app:v1`, `${pair.targetProxy.host}/timeouts/cli:v1`]);
    assert.equal(run.code, 2, `${bad.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(bad[0] ?? ''));
  }
});
