import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CopyEngine } from '../../src/copy/index.js';
import { pushRawImage, skopeoInspectRaw, type RawImage } from '../harness/index.js';
import { useProxiedPair } from './proxied-pair.js';

/*
 * The real registry stores a manifest whose config `size` disagrees with the config blob. Copying
 * such an image must fail that image alone with SIZE_MISMATCH; it once crashed the whole process
 * ("Unhandled 'error' event": the blob body was destroyed with no error listener).
 */

const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));

let small: RawImage;
let large: RawImage;
let good: RawImage;
const pair = useProxiedPair(async ({ source }) => {
  // One repository, so one push at a time (distribution 2.8 races concurrent pushes of one repository).
  small = await pushRawImage(source, 'size/app:small', { seed: 'size', configSize: (real) => real - 1 });
  large = await pushRawImage(source, 'size/app:large', { seed: 'size', configSize: (real) => real + 1 });
  good = await pushRawImage(source, 'size/app:good', { seed: 'size-good' });
});

/** Copies the three tags at once on one engine, as a run would; returns each outcome. */
async function copyAll(sourceHost: string, targetRepo: string): Promise<Record<'small' | 'large' | 'good', unknown>> {
  const engine = new CopyEngine();
  try {
    const one = (tag: string) =>
      engine
        .copy({ source: `${sourceHost}/size/app:${tag}`, target: `${pair.target.host}/${targetRepo}:${tag}` })
        .catch((error: unknown) => error);
    const [smallOutcome, largeOutcome, goodOutcome] = await Promise.all([one('small'), one('large'), one('good')]);
    return { small: smallOutcome, large: largeOutcome, good: goodOutcome };
  } finally {
    await engine.close();
  }
}

async function assertOutcomes(outcomes: Record<'small' | 'large' | 'good', unknown>, targetRepo: string): Promise<void> {
  for (const [name, image] of [
    ['small', small],
    ['large', large],
  ] as const) {
    const error = outcomes[name] as Error & { code?: string };
    assert.ok(error instanceof Error, `${name}: expected a failure, got ${JSON.stringify(error)}`);
    assert.equal(error.code, 'SIZE_MISMATCH', `${name}: ${error.message}`);
    assert.match(error.message, new RegExp(`blob ${image.configDigest}`));
    assert.match(error.message, new RegExp(`\\b${image.configSize}\\b`), 'the message says what the manifest declared');
    await assert.rejects(skopeoInspectRaw(`${pair.target.host}/${targetRepo}:${name}`, pair.target), `${name} was not tagged`);
  }
  assert.equal(
    (outcomes.good as { digest?: string }).digest,
    good.digest,
    `the good image of the same run was copied: ${String(outcomes.good)}`,
  );
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/${targetRepo}:good`, pair.target)).digest, good.digest);
}

test('a config blob bigger or smaller than its descriptor fails that image alone with SIZE_MISMATCH (registry sends Content-Length)', async () => {
  const outcomes = await copyAll(pair.source.host, 'size/direct');
  await assertOutcomes(outcomes, 'size/direct');
});

test('the same when the source answers without Content-Length: the bytes themselves are counted', async () => {
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: /\/blobs\//,
    times: 1000,
    action: { kind: 'drop-headers', names: ['content-length'] },
  });
  try {
    const outcomes = await copyAll(pair.sourceProxy.host, 'size/chunked');
    await assertOutcomes(outcomes, 'size/chunked');
    assert.ok(pair.sourceProxy.count('GET', new RegExp(`/blobs/${small.configDigest}`)) >= 1, 'the blob went through the proxy, chunked');
  } finally {
    pair.sourceProxy.clearFaults();
  }
});

test('the CLI reports SIZE_MISMATCH and exits 1; the process does not crash', async () => {
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'copy', `${pair.source.host}/size/app:small`, `${pair.target.host}/size/cli:small`],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' } },
      (error, _stdout, err) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr: err });
      },
    );
  });
  assert.doesNotMatch(stderr, /Unhandled|node:events|at .*\.js:\d+/, stderr);
  assert.match(stderr, /SIZE_MISMATCH|size/i);
  assert.match(stderr, new RegExp(small.configDigest));
  assert.equal(code, 1, stderr);
});
