import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startRegistry, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { runCli } from './load-harness.js';

/**
 * One run shares one AbortSignal across every request; undici adds an abort listener per request
 * in flight, so more than 10 at once used to print MaxListenersExceededWarning on stderr.
 */

const IMAGES = 16;
let source: TestRegistry;
let target: TestRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  await Promise.all(Array.from({ length: IMAGES }, (_, i) => pushImage(ociImage, source, `many/app${i}:v1`)));
  dir = await makeTempDir('load-listeners');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test(`a load of ${IMAGES} images at once prints no MaxListenersExceededWarning, on a first copy and on the no-change re-run`, async () => {
  const config = join(dir, 'config.yaml');
  const images = Array.from({ length: IMAGES }, (_, i) => `${source.host}/many/app${i}:v1`);
  await writeFile(
    config,
    JSON.stringify({ registries: [{ hostname: target.host, repository: 'mirror', images }], concurrency: { images: IMAGES, blobs: 32 } }),
  );
  // Warnings on, whatever the test runner's environment says; --trace-warnings names the culprit if one comes back.
  const env = { NODE_NO_WARNINGS: '0', NODE_OPTIONS: '--trace-warnings' };
  for (const pass of ['first copy', 'no-change re-run']) {
    const result = await runCli(['load', '--config', config, '--all'], env, dir);
    assert.equal(result.code, 0, `${pass}: ${result.stderr}`);
    assert.match(result.stdout, new RegExp(pass === 'first copy' ? `images: ${IMAGES} copied` : `images: 0 copied, ${IMAGES} up to date`));
    assert.doesNotMatch(result.stderr, /MaxListenersExceededWarning|memory leak/, `${pass}: ${result.stderr}`);
  }
});
