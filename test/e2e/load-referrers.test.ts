import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  pushArtifact,
  pushCosignTag,
  pushImage,
  pushReferrersTag,
  skopeoListTags,
  startFaultProxy,
  startRegistry,
  startedSoFar,
  subjectOf,
  type FaultProxy,
  type TestRegistry,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { runCli, tempDir } from './load-harness.js';
import { writeConfig } from './sync-kit.js';

/*
 * `picture-book load` and the config switches of signatures and attestations: a registry entry's
 * `referrers: false`, a mirrors: rule's `referrers:` overriding it. The built CLI against real
 * registries (no referrers API: the fallback tag and cosign tags), checked with skopeo.
 */

let source: TestRegistry;
let target: TestRegistry;
let sourceProxy: FaultProxy;
let dir: string;
const signed: Record<string, { fallback: string; cosign: string }> = {};

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  dir = await tempDir('pb-load-referrers-');
  for (const repository of ['team/on', 'team/off']) {
    await pushImage(ociImage, source, `${repository}:v1`);
    const subject = await subjectOf(source, repository, 'v1');
    const sig = await pushArtifact(source, repository, subject, { artifactType: 'application/example.sig', seed: repository });
    const fallback = await pushReferrersTag(source, repository, subject.digest, [sig]);
    const cosign = await pushCosignTag(source, repository, subject.digest, 'sig', repository);
    signed[repository] = { fallback: fallback.tag, cosign: cosign.tag };
  }
  await pushImage(ociImage, source, 'team/on:v2');
  sourceProxy = await startFaultProxy(source);
});

after(async () => {
  const started = startedSoFar({ source, target, sourceProxy });
  await started.sourceProxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function load(name: string, entry: Record<string, unknown>): Promise<void> {
  const work = join(dir, name);
  await mkdir(work);
  const file = await writeConfig(work, { registries: [{ hostname: target.host, ...entry }] });
  const result = await runCli(['load', '--config', file, '--all']);
  assert.equal(result.code, 0, result.stderr + result.stdout);
}

const tagsAt = async (repository: string): Promise<string[]> => (await skopeoListTags(`${target.host}/${repository}`, target)).sort();
const expected = (repository: string) => [signed[repository]?.fallback, signed[repository]?.cosign, 'v1'].sort();

test('by default the signatures follow; referrers: false on the registry entry leaves them, a rule saying true brings them', async () => {
  await load('default', { repository: 'default', images: [`${source.host}/team/on:v1`] });
  assert.deepEqual(await tagsAt('default/team/on'), expected('team/on'));

  await load('off', {
    repository: 'off',
    referrers: false,
    mirrors: [{ source: `${source.host}/team/off:v1` }, { source: `${source.host}/team/on:v1`, referrers: true }],
  });
  assert.deepEqual(await tagsAt('off/team/off'), ['v1'], 'the registry entry turned them off');
  assert.deepEqual(await tagsAt('off/team/on'), expected('team/on'), 'the rule turned them back on');

  await load('rule-off', { repository: 'rule', mirrors: [{ source: `${source.host}/team/off:v1`, referrers: false }] });
  assert.deepEqual(await tagsAt('rule/team/off'), ['v1'], 'the rule turned them off');
});

test('--dry-run names the signatures and attestations that would be copied, by artifact type, and writes nothing', async () => {
  const work = join(dir, 'dry');
  await mkdir(work);
  const file = await writeConfig(work, {
    registries: [{ hostname: target.host, repository: 'dry', images: [`${source.host}/team/on:v1`] }],
  });
  const result = await runCli(['load', '--config', file, '--all', '--dry-run']);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stdout, /would copy .*team\/on:v1.*, with 2 referrers \(1 application\/example\.sig, 1 cosign \.sig\)/);
  // The image already there, its signatures not: said too.
  await load('dry-image', { repository: 'dry', referrers: false, images: [`${source.host}/team/on:v1`] });
  const again = await runCli(['load', '--config', file, '--all', '--dry-run']);
  assert.match(again.stdout, /up to date .*team\/on:v1.*; would copy 2 referrers \(1 application\/example\.sig, 1 cosign \.sig\)/);
  assert.deepEqual(await tagsAt('dry/team/on'), ['v1']);
});

test("a rule's cosignTags: false and artifactTypes choose what follows its images; the registry entry's artifactTypes holds for the others", async () => {
  await load('filters', {
    repository: 'filters',
    artifactTypes: { exclude: ['application/example.sig'] },
    mirrors: [
      { source: `${source.host}/team/on:v1`, cosignTags: false, artifactTypes: { include: ['application/example.*'] } },
      { source: `${source.host}/team/off:v1` },
    ],
  });
  assert.deepEqual(await tagsAt('filters/team/on'), [signed['team/on']?.fallback, 'v1'].sort(), 'the rule: its type, no cosign tag');
  assert.deepEqual(await tagsAt('filters/team/off'), [signed['team/off']?.cosign, 'v1'].sort(), 'the registry entry: not that type');
});

test("cosign tags are looked for in the repository's tags listed once per run: the rule's own listing, or one for every image of the repository", async () => {
  const tagLists = () => sourceProxy.count('GET', /^\/v2\/team\/on\/tags\/list/);
  const before = tagLists();
  await load('shared-rule', {
    repository: 'shared-rule',
    mirrors: [{ source: `${sourceProxy.host}/team/on`, tags: { include: ['v.*'] } }],
  });
  assert.equal(tagLists() - before, 1, 'the rule listed the tags; the copies of v1 and v2 read that list');
  assert.deepEqual(await tagsAt('shared-rule/team/on'), [...expected('team/on'), 'v2'].sort());

  const between = tagLists();
  await load('shared-images', {
    repository: 'shared-images',
    images: [`${sourceProxy.host}/team/on:v1`, `${sourceProxy.host}/team/on:v2`],
  });
  assert.equal(tagLists() - between, 1, 'two images of one repository, one listing');
  assert.deepEqual(await tagsAt('shared-images/team/on'), [...expected('team/on'), 'v2'].sort());
});
