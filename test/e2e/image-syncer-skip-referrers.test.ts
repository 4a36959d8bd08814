import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
  pushArtifact,
  pushCosignTag,
  pushImage,
  pushReferrersTag,
  startRegistry,
  startedSoFar,
  subjectOf,
  type TestRegistry,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { tags, workDir as inDir } from './image-syncer-kit.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';

/*
 * An image skipped for its platform (`--os/--arch`, `missingPlatforms: skip`) writes nothing at the
 * target: not its signatures either (their subject is not there). Against the real registry.
 */

let source: TestRegistry;
let target: TestRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  dir = await tempDir('pb-image-syncer-skip-referrers-');
  await pushImage(ociImage, source, 'signed/app:v1');
  const subject = await subjectOf(source, 'signed/app', 'v1');
  const sig = await pushArtifact(source, 'signed/app', subject, { artifactType: 'application/example.sig', seed: 'skip' });
  await pushReferrersTag(source, 'signed/app', subject.digest, [sig]);
  await pushCosignTag(source, 'signed/app', subject.digest, 'sig', 'skip');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('an image skipped for its platform gets no referrers at the target: no fallback tag, no cosign tag', async () => {
  const work = await inDir(dir, 'skip', { 'images.yaml': `${source.host}/signed/app:v1: ${target.host}/signed/app\n` });
  const result = await runCli(['image-syncer', '--images', 'images.yaml', '--arch', 'arm64', '--log-format', 'json'], {}, work);
  assert.equal(result.code, 0, result.stderr);
  const events = jsonLines(result.stderr);
  assert.deepEqual(
    events.filter((e) => e.type === 'image-skipped').map((e) => [e.target, e.reason]),
    [[`${target.host}/signed/app:v1`, 'platform']],
  );
  assert.ok(!events.some((e) => e.type === 'referrer-copied'), 'no referrer copied');
  assert.deepEqual(await tags(target, 'signed/app'), [], 'nothing at the target: not the image, not its signatures');
});
