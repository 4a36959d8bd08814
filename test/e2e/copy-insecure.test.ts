import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  startPlainHttpFront,
  startRegistry,
  type BuiltImage,
  type PlainHttpFront,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';

/**
 * "insecure" means plain http and nothing else: against a plain-http server that resets TLS
 * handshakes (so no https probe can learn anything), no TLS handshake is ever attempted.
 */
const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));

let source: TestRegistry;
let target: TestRegistry;
let sourceFront: PlainHttpFront;
let targetFront: PlainHttpFront;
let built: BuiltImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  [sourceFront, targetFront] = await Promise.all([startPlainHttpFront(source), startPlainHttpFront(target)]);
  built = await pushImage(ociImage, source, 'insecure/app:v1');
});

after(async () => {
  const started = startedSoFar({ sourceFront, targetFront, source, target });
  await Promise.all([started.sourceFront?.close(), started.targetFront?.close()]);
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

const fast = { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } };

test('insecure endpoints are spoken to in plain http, with no TLS handshake first', async () => {
  const engine = new CopyEngine();
  try {
    const result = await engine.copy({
      source: `${sourceFront.host}/insecure/app:v1`,
      target: `${targetFront.host}/insecure/engine:v1`,
      sourceEndpoint: { ...fast, insecure: true },
      targetEndpoint: { ...fast, insecure: true },
    });
    assert.equal(result.digest, built.digest);
  } finally {
    await engine.close();
  }
  assert.equal(sourceFront.tlsAttempts + targetFront.tlsAttempts, 0, 'no https attempt');
  assert.ok(sourceFront.plainConnections > 0 && targetFront.plainConnections > 0);
  assert.equal((await skopeoInspectRaw(`${target.host}/insecure/engine:v1`, target)).digest, built.digest);
});

test('copy --src-insecure --dest-insecure: the same through the CLI flags', async () => {
  const args = [
    BIN,
    'copy',
    '--src-insecure',
    '--dest-insecure',
    `${sourceFront.host}/insecure/app:v1`,
    `${targetFront.host}/insecure/cli:v1`,
  ];
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      args,
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' }, timeout: 60_000 },
      (error, _stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
      },
    );
  });
  assert.equal(code, 0, stderr);
  assert.equal(sourceFront.tlsAttempts + targetFront.tlsAttempts, 0, 'no https attempt');
  assert.equal((await skopeoInspectRaw(`${target.host}/insecure/cli:v1`, target)).digest, built.digest);
});

test('a loopback host without insecure still probes https first (and here, where TLS is reset, fails)', async () => {
  const engine = new CopyEngine();
  try {
    await assert.rejects(
      engine.copy({ source: `${sourceFront.host}/insecure/app:v1`, target: `${target.host}/insecure/probe:v1`, sourceEndpoint: fast }),
      (error: Error & { code?: string }) => {
        assert.match(error.code ?? '', /^(NETWORK|TLS)$/);
        return true;
      },
    );
  } finally {
    await engine.close();
  }
  assert.ok(sourceFront.tlsAttempts > 0, 'https was tried');
});
