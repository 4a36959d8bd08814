import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';
import { tags, workDir as inDir } from './image-syncer-kit.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';

/*
 * A dry run with `--os`/`--arch` says what the real run does with each image: skipped (with the
 * same note) when the filter leaves nothing of it, up to date when the filtered image is already
 * at the target tag, copy otherwise. Real registries; the target state checked with skopeo.
 */

let source: TestRegistry;
let target: TestRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  dir = await tempDir('pb-image-syncer-platform-plan-');
  await pushImage(ociIndex, source, 'multi/app:v1');
  await pushImage(ociImage, source, 'single/app:v1');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Event = Record<string, unknown>;
const byTarget = (events: Event[], type: string): Map<unknown, Event> =>
  new Map(events.filter((e) => e.type === type).map((e) => [e.target, e]));

const syncer = (work: string, ...flags: string[]) =>
  runCli(['image-syncer', '--images', 'images.yaml', '--log-format', 'json', ...flags], {}, work);

test('--arch that no image has: the dry run plans both images as skipped with the notes the real run gives, and counts them as skipped', async () => {
  const images = `${source.host}/multi/app:v1: ${target.host}/none/multi\n${source.host}/single/app:v1: ${target.host}/none/single\n`;
  const work = await inDir(dir, 'none', { 'images.yaml': images });
  const multi = `${target.host}/none/multi:v1`;
  const single = `${target.host}/none/single:v1`;

  const dry = await syncer(work, '--arch', 's390x', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  const planned = byTarget(jsonLines(dry.stderr), 'image-planned');
  assert.deepEqual(
    [multi, single].map((t) => planned.get(t)?.action),
    ['skip', 'skip'],
  );
  const finishedDry = jsonLines(dry.stderr).find((e) => e.type === 'run-finished');
  assert.deepEqual([finishedDry?.skipped, finishedDry?.failed, finishedDry?.ok], [2, 0, true]);

  const real = await syncer(work, '--arch', 's390x');
  assert.equal(real.code, 0, real.stderr);
  const skipped = byTarget(jsonLines(real.stderr), 'image-skipped');
  for (const t of [multi, single]) {
    assert.equal(skipped.get(t)?.reason, 'platform', `the real run skips ${t}`);
    assert.equal(planned.get(t)?.note, skipped.get(t)?.note, `the dry run's note for ${t} is the real run's`);
  }
  assert.match(String(planned.get(single)?.note), /not \*\/s390x: it is a single-platform linux\/amd64 image/);
  assert.deepEqual(await tags(target, 'none/multi'), []);
  assert.deepEqual(await tags(target, 'none/single'), []);

  const text = await runCli(['image-syncer', '--images', 'images.yaml', '--arch', 's390x', '--dry-run'], {}, work);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stderr, new RegExp(`would skip ${source.host}/multi/app:v1 -> ${multi}: no image for \\*/s390x`));
});

test('--arch arm64: the dry run says copy for the index and skip for the amd64 image; after the real run, up to date and skip again', async () => {
  const images = `${source.host}/multi/app:v1: ${target.host}/some/multi\n${source.host}/single/app:v1: ${target.host}/some/single\n`;
  const work = await inDir(dir, 'some', { 'images.yaml': images });
  const multi = `${target.host}/some/multi:v1`;
  const single = `${target.host}/some/single:v1`;
  const actions = async (): Promise<unknown[]> => {
    const dry = await syncer(work, '--arch', 'arm64', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    const planned = byTarget(jsonLines(dry.stderr), 'image-planned');
    return [multi, single].map((t) => planned.get(t)?.action);
  };

  assert.deepEqual(await actions(), ['copy', 'skip']);
  assert.deepEqual(await tags(target, 'some/multi'), [], 'the dry run wrote nothing');

  const real = await syncer(work, '--arch', 'arm64');
  assert.equal(real.code, 0, real.stderr);
  const index = JSON.parse((await skopeoInspectRaw(`${source.host}/multi/app:v1`, source)).raw.toString('utf8')) as {
    manifests: Array<{ digest: string; platform: { architecture: string } }>;
  };
  const arm64 = index.manifests.find((m) => m.platform.architecture === 'arm64')?.digest;
  assert.equal((await skopeoInspectRaw(multi, target)).digest, arm64);
  assert.deepEqual(await tags(target, 'some/single'), []);

  assert.deepEqual(await actions(), ['up-to-date', 'skip'], 'as the real run would now say');
  const again = await syncer(work, '--arch', 'arm64');
  const events = jsonLines(again.stderr);
  assert.equal(byTarget(events, 'image-skipped').get(multi)?.reason, 'up-to-date', 'and the real run says so');
});
