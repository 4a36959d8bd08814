import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushRawImage, skopeo, skopeoListTags, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { jsonLines, runCli, tempDir, writeScript } from './load-harness.js';
import { writeConfig } from './sync-kit.js';

/*
 * `load` with a registry entry's `pruneImages:`: its `images:` list and syncer script prune too.
 * The built CLI against real registries with deletes enabled; what is left at the target listed
 * with skopeo.
 */

let source: TestRegistry;
let target: TestRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  dir = await tempDir('pb-load-prune-list-');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function seed(repository: string, tags: string[]): Promise<void> {
  for (const tag of tags) await pushRawImage(source, `${repository}:${tag}`, { seed: `${repository}:${tag}` });
}

/** A config with one registry entry in its own directory, with its own history database. */
async function config(name: string, entry: Record<string, unknown>): Promise<{ file: string; work: string }> {
  const work = join(dir, name);
  await mkdir(work, { recursive: true });
  const file = await writeConfig(work, { registries: [{ hostname: target.host, ...entry }], state: { path: join(work, 'state.db') } });
  return { file, work };
}

const load = (file: string, ...flags: string[]) => runCli(['load', '--config', file, '--all', '--log-format', 'json', ...flags]);
const tagsAt = async (repository: string): Promise<string[]> => (await skopeoListTags(`${target.host}/${repository}`, target)).sort();
const pruneEvents = (stdout: string) => jsonLines(stdout).filter((e) => e.type === 'prune');
const src = (reference: string) => `${source.host}/${reference}`;

test('an image removed from the images: list is pruned with pruneImages, and kept without it', async () => {
  await seed('l1/app', ['v1', 'v2', 'v3', 'v4']);
  const all = ['v1', 'v2', 'v3', 'v4'].map((t) => src(`l1/app:${t}`));
  const { file } = await config('list', { repository: 'q1', images: all, pruneImages: { maxFraction: 1 } });
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(await tagsAt('q1/l1/app'), ['v1', 'v2', 'v3', 'v4']);
  await pushRawImage(target, 'q1/l1/app:mine', { seed: 'pushed by hand' });

  // The same history, v4 no longer listed, but no opt-in: nothing is pruned.
  await config('list', { repository: 'q1', images: all.slice(0, 3) });
  const without = await load(file);
  assert.equal(without.code, 0, without.stdout + without.stderr);
  assert.deepEqual(pruneEvents(without.stdout), []);
  assert.deepEqual(await tagsAt('q1/l1/app'), ['mine', 'v1', 'v2', 'v3', 'v4'], 'without pruneImages the list prunes nothing');

  await config('list', { repository: 'q1', images: all.slice(0, 3), pruneImages: { maxFraction: 1 } });
  const dry = await load(file, '--dry-run');
  assert.deepEqual(
    pruneEvents(dry.stdout).map((e) => [e.action, e.target, e.rule, e.reason]),
    [['would-delete', `${target.host}/q1/l1/app:v4`, 'pruneImages', "no longer in the images list or the syncer script's output"]],
  );
  const pruned = await load(file);
  assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.deepEqual(
    pruneEvents(pruned.stdout).map((e) => [e.action, e.target]),
    [['deleted', `${target.host}/q1/l1/app:v4`]],
  );
  assert.deepEqual(await tagsAt('q1/l1/app'), ['mine', 'v1', 'v2', 'v3'], 'v4 pruned; the tag pushed by hand kept');

  // The default guard (10%) holds back one of three.
  await config('list', { repository: 'q1', images: all.slice(0, 2), pruneImages: true });
  const blocked = await load(file);
  assert.equal(blocked.code, 1);
  const problem = jsonLines(blocked.stdout).find((e) => e.type === 'selection-problem' && e.code === 'PRUNE_BLOCKED');
  assert.match(String(problem?.message), /^pruneImages: prune stopped by its guard: .*is more than pruneImages\.maxFraction 10%/);
  assert.deepEqual(await tagsAt('q1/l1/app'), ['mine', 'v1', 'v2', 'v3']);
});

test('a failing syncer script prunes nothing; the same script succeeding prunes what left it', async () => {
  await seed('l2/app', ['v1', 'v2']);
  const { file, work } = await config('script', { repository: 'q2', syncerScript: './list.sh', pruneImages: { maxFraction: 1 } });
  await writeScript(work, 'list.sh', [src('l2/app:v1'), src('l2/app:v2')]);
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(await tagsAt('q2/l2/app'), ['v1', 'v2']);

  await writeScript(work, 'list.sh', [src('l2/app:v1')], 'exit 3');
  const failed = await load(file);
  assert.equal(failed.code, 1, 'a failed script fails the run');
  assert.ok(jsonLines(failed.stdout).some((e) => e.type === 'registry-script-failed'));
  assert.deepEqual(pruneEvents(failed.stdout), []);
  assert.deepEqual(await tagsAt('q2/l2/app'), ['v1', 'v2'], 'nothing pruned from an incomplete picture');

  await writeScript(work, 'list.sh', [src('l2/app:v1'), 'not a reference!'], '');
  const unreadable = await load(file);
  assert.deepEqual(
    pruneEvents(unreadable.stdout).map((e) => [e.action, e.target]),
    [['kept', `${target.host}/q2/l2/app:v2`]],
  );
  assert.deepEqual(await tagsAt('q2/l2/app'), ['v1', 'v2'], 'a line that could not be read keeps the list whole');

  await writeScript(work, 'list.sh', [src('l2/app:v1')]);
  const pruned = await load(file);
  assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.deepEqual(await tagsAt('q2/l2/app'), ['v1'], 'v2 left the script output: pruned');
});

test('a listed image whose source is gone is pruned only after graceRuns runs', async () => {
  await seed('l3/app', ['v1', 'v2', 'v3']);
  const { file } = await config('gone', {
    repository: 'q3',
    images: ['v1', 'v2', 'v3'].map((t) => src(`l3/app:${t}`)),
    pruneImages: { maxFraction: 1, graceRuns: 2 },
  });
  assert.equal((await load(file)).code, 0);
  await skopeo(['delete', ...source.skopeoFlags('plain'), `docker://${source.host}/l3/app:v2`], source);

  const once = await load(file);
  assert.equal(once.code, 1, 'the listed image fails to copy');
  assert.match(
    String(pruneEvents(once.stdout).find((e) => e.action === 'kept')?.reason),
    /missing for 1 run in a row .*: its tags go after 2 \(pruneImages\.graceRuns\)/,
  );
  assert.deepEqual(await tagsAt('q3/l3/app'), ['v1', 'v2', 'v3']);
  const twice = await load(file);
  assert.deepEqual(
    pruneEvents(twice.stdout).map((e) => [e.action, e.target]),
    [['deleted', `${target.host}/q3/l3/app:v2`]],
  );
  assert.deepEqual(await tagsAt('q3/l3/app'), ['v1', 'v3']);
});
