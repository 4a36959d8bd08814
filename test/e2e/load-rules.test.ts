import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, skopeoListTags, startRegistry, type TestRegistry, startedSoFar } from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { jsonLines, runCli, tempDir, writeScript } from './load-harness.js';
import { writeConfig } from './sync-kit.js';

/*
 * `picture-book load` with mirrors: rules, end to end: the built CLI against the real registry,
 * what it copied checked with skopeo.
 */

const ETCD_TAGS = ['v3.4.0', 'v3.5.0', 'v3.5.1', 'v3.5.2-rc.1', 'v3.6.0', 'latest', 'main'];
const SEED: Record<string, string[]> = {
  'coreos/etcd': ETCD_TAGS,
  'team/app': ['v1.0.0', 'v1.1.0', 'v2.0.0-rc.1'],
  'team/old': ['v1', 'latest'],
  'other/db': ['5.7.0', '8.0.0'],
};

let source: TestRegistry;
let target: TestRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  dir = await tempDir('pb-load-rules-');
  // Repositories at once, the tags of one repository one after the other.
  await Promise.all(
    Object.entries(SEED).map(async ([repository, tags]) => {
      for (const tag of tags) await pushImage(repository === 'team/app' ? dockerImage : ociImage, source, `${repository}:${tag}`);
    }),
  );
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A config with one registry entry (the target, under `repository`), written to its own file. */
async function config(name: string, entry: Record<string, unknown>): Promise<string> {
  const work = join(dir, name);
  await mkdir(work);
  return writeConfig(work, { registries: [{ hostname: target.host, ...entry }] });
}

const src = (path: string): string => `${source.host}/${path}`;
const tagsAt = async (repository: string): Promise<string[]> => (await skopeoListTags(`${target.host}/${repository}`, target)).sort();
const catalog = async (): Promise<string[]> =>
  ((await (await fetch(`http://${target.host}/v2/_catalog?n=1000`)).json()) as { repositories: string[] }).repositories;

test('a repository rule copies every tag skopeo lists; each tag filter alone and combined, latest N, and renames', async () => {
  const etcd = src('coreos/etcd');
  const file = await config('filters', {
    repository: 'f',
    mirrors: [
      { source: etcd },
      { source: etcd, tags: { include: ['v3\\.5\\..*'] }, target: 'inc/etcd' },
      { source: etcd, tags: { exclude: ['.*-rc.*', 'main', 'latest'] }, target: 'exc/etcd' },
      { source: etcd, tags: { semver: '>=3.5 <4' }, target: 'sem/etcd' },
      { source: etcd, tags: { latest: 2 }, target: 'lat/etcd' },
      { source: etcd, tags: { include: ['v.*'], exclude: ['v3\\.6\\..*'], semver: '>=3.5', latest: 1 }, target: 'comb/etcd' },
    ],
  });
  const result = await runCli(['load', '--config', file, '--all', '--log-format', 'json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.deepEqual(await tagsAt('f/coreos/etcd'), (await skopeoListTags(etcd, source)).sort(), 'every tag the source has');
  assert.deepEqual(await tagsAt('f/inc/etcd'), ['v3.5.0', 'v3.5.1', 'v3.5.2-rc.1']);
  assert.deepEqual(await tagsAt('f/exc/etcd'), ['v3.4.0', 'v3.5.0', 'v3.5.1', 'v3.6.0']);
  assert.deepEqual(await tagsAt('f/sem/etcd'), ['v3.5.0', 'v3.5.1', 'v3.6.0']);
  assert.deepEqual(await tagsAt('f/lat/etcd'), ['v3.5.2-rc.1', 'v3.6.0']);
  assert.deepEqual(await tagsAt('f/comb/etcd'), ['v3.5.1']);
  const [copied, original] = await Promise.all([
    skopeoInspectRaw(`${target.host}/f/comb/etcd:v3.5.1`, target),
    skopeoInspectRaw(`${etcd}:v3.5.1`, source),
  ]);
  assert.equal(copied.digest, original.digest, 'the renamed tag holds the source image, byte for byte');
  const events = jsonLines(result.stdout);
  const finished = events.find((e) => e.type === 'run-finished');
  // 7 + 3 + 4 + 3 + 2 + 1 images; the same source tags under other paths are other images.
  assert.equal(finished?.copied, 20);
  const selected = events.filter((e) => e.type === 'rule-selected');
  assert.deepEqual(
    selected.map((e) => [e.rule, (e.tags as { kept: number }).kept, (e.tags as { dropped: object }).dropped]),
    [
      ['mirrors[0]', 7, {}],
      ['mirrors[1]', 3, { include: 4 }],
      ['mirrors[2]', 4, { exclude: 3 }],
      ['mirrors[3]', 3, { semver: 4 }],
      ['mirrors[4]', 2, { latest: 5 }],
      ['mirrors[5]', 1, { include: 2, exclude: 1, semver: 2, latest: 1 }],
    ],
  );
});

test('namespace and registry rules: the catalog read, repositories filtered, then their tags (checked on the target)', async () => {
  const file = await config('catalog', {
    repository: 'c',
    mirrors: [
      { source: src('team/'), repositories: { exclude: ['team/old'] }, tags: { semver: '>=1' } },
      { source: source.host, repositories: { include: ['other/.*'] }, tags: { exclude: ['5\\..*'] } },
    ],
  });
  const result = await runCli(['load', '--config', file, '--all']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.deepEqual(await tagsAt('c/team/app'), ['v1.0.0', 'v1.1.0'], 'v2.0.0-rc.1 is a prerelease: outside >=1');
  assert.deepEqual(await tagsAt('c/other/db'), ['8.0.0']);
  assert.deepEqual(
    (await catalog()).filter((r) => r.startsWith('c/')),
    ['c/other/db', 'c/team/app'],
    'nothing of the repositories filtered out',
  );
  assert.match(
    result.stdout,
    new RegExp(`mirrors\\[0\\] ${src('team/')}: 1 repository \\(1 dropped by exclude\\), 3 tags, 2 selected \\(1 dropped by semver\\)`),
  );
});

test('images: and the syncer script keep their meaning (no tag is latest) and take repo:* and repo:/regex/; all merged, each once', async () => {
  const work = join(dir, 'explicit');
  await mkdir(work);
  await writeScript(work, 'list.sh', [src('other/db:/8\\..*/'), src('team/old'), src('team/app:v1.0.0')]);
  const file = await writeConfig(work, {
    registries: [
      {
        hostname: target.host,
        repository: 'e',
        syncerScript: './list.sh',
        images: [src('team/app:*'), src('team/old:latest')],
      },
    ],
  });
  const result = await runCli(['load', '--config', file, '--all', '--log-format', 'json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.deepEqual(await tagsAt('e/other/db'), ['8.0.0']);
  assert.deepEqual(await tagsAt('e/team/old'), ['latest'], 'a plain reference without tag is latest, not every tag');
  assert.deepEqual(await tagsAt('e/team/app'), ['v1.0.0', 'v1.1.0', 'v2.0.0-rc.1']);
  const events = jsonLines(result.stdout);
  assert.equal(events.find((e) => e.type === 'registry-listed')?.images, 5, 'team/app:v1.0.0 and team/old:latest once each');
  assert.equal(events.filter((e) => e.type === 'image-done').length, 5);
});

test('two sources for one target tag: an error naming both, before any copy; neither lands there, the rest does; exit code 1', async () => {
  const file = await config('collision', {
    repository: 'x',
    mirrors: [{ source: src('team/old') }, { source: src('coreos/etcd'), tags: { include: ['latest'] }, target: 'team/old' }],
  });
  const result = await runCli(['load', '--config', file, '--all']);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const message = `${target.host}/x/team/old:latest is selected from different sources: ${src('team/old:latest')} (mirrors[0]) and ${src('coreos/etcd:latest')} (mirrors[1]); a tag holds one image, so none of them is copied there: rename one with target: or filter it out`;
  assert.ok(result.stdout.includes(`[${target.host}] error: ${message}`), result.stdout);
  assert.ok(result.stdout.includes('image lists: 0 syncer scripts failed, 0 invalid lines, 1 selection error'), result.stdout);
  assert.ok(result.stdout.includes(`  [${target.host}] ${message}`), 'listed again in the summary');
  assert.deepEqual(await tagsAt('x/team/old'), ['v1']);
  const first = result.stdout.indexOf('is selected from different sources');
  assert.ok(first >= 0 && first < result.stdout.indexOf('copied '), 'the collision is reported before any copy');
});

test('--dry-run shows the plan per rule (with -v each dropped repository and tag, and why), then copy / up to date per image; writes nothing', async () => {
  const file = await config('dry', {
    repository: 'd',
    mirrors: [{ source: src('team/'), repositories: { exclude: ['team/old'] }, tags: { latest: 1 } }],
    images: [src('other/db:8.0.0')],
  });
  const plain = await runCli(['load', '--config', file, '--all', '--dry-run']);
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  const lines = plain.stdout.split('\n').map((l) => l.replace(/^\S+Z /, ''));
  const at = (text: string): number => lines.findIndex((l) => l === `[${target.host}] ${text}`);
  const rule = at(`mirrors[0] ${src('team/')}: 1 repository (1 dropped by exclude), 3 tags, 1 selected (2 dropped by latest)`);
  assert.ok(rule >= 0, plain.stdout);
  assert.equal(lines[rule + 1], `[${target.host}] listed 2 images`, 'no name without -v');
  assert.ok(at(`would copy ${src('team/app:v2.0.0-rc.1')} -> ${target.host}/d/team/app:v2.0.0-rc.1`) > rule);
  assert.ok(at(`would copy ${src('other/db:8.0.0')} -> ${target.host}/d/other/db:8.0.0`) > rule);
  const verbose = await runCli(['load', '--config', file, '--all', '--dry-run', '-v']);
  const detail = verbose.stdout.split('\n').map((l) => l.replace(/^\S+Z /, ''));
  const head = detail.findIndex((l) => l.includes(`mirrors[0] ${src('team/')}:`));
  assert.deepEqual(detail.slice(head + 1, head + 4), [
    '    dropped repository team/old by exclude: matches exclude "team/old"',
    '    dropped team/app:v1.0.0 by latest: not among the 1 highest versions',
    '    dropped team/app:v1.1.0 by latest: not among the 1 highest versions',
  ]);
  assert.deepEqual(
    (await catalog()).filter((r) => r.startsWith('d/')),
    [],
    'a dry run writes nothing',
  );
  // Copied for real, the same plan says "up to date".
  assert.equal((await runCli(['load', '--config', file, '--all'])).code, 0);
  const again = await runCli(['load', '--config', file, '--all', '--dry-run']);
  assert.match(again.stdout, new RegExp(`up to date ${src('team/app:v2.0.0-rc.1')} -> `));
  assert.match(again.stdout, /images: 0 would copy, 2 up to date, 0 failed \(dry run\)/);
});
