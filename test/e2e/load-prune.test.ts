import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  pushImage,
  pushRawBlob,
  pushRawImage,
  pushRawManifest,
  skopeo,
  skopeoInspectRaw,
  skopeoListTags,
  startRegistry,
  startedSoFar,
  type ImageSpec,
  type TestRegistry,
} from '../harness/index.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';
import { digestAt, writeConfig } from './sync-kit.js';

/*
 * `load` with `prune:` rules, end to end: the built CLI against real registries with deletes
 * enabled (one with them disabled), what is left at the target listed with skopeo.
 */

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

let source: TestRegistry;
let authed: TestRegistry;
let target: TestRegistry;
let noDelete: TestRegistry;
let dir: string;

before(async () => {
  [source, authed, target, noDelete] = await Promise.all([
    startRegistry(),
    startRegistry({ auth: 'htpasswd' }),
    startRegistry(),
    startRegistry({ deleteEnabled: false }),
  ]);
  dir = await tempDir('pb-load-prune-');
});

after(async () => {
  const started = startedSoFar({ source, authed, target, noDelete });
  await Promise.all([started.source?.stop(), started.authed?.stop(), started.target?.stop(), started.noDelete?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Tags of one repository with their own content (distinct digests), pushed one after the other. */
async function seed(repository: string, tags: string[], registry = source): Promise<void> {
  for (const tag of tags) await pushRawImage(registry, `${repository}:${tag}`, { seed: `${repository}:${tag}` });
}

/** A config with one registry entry and its own history database; returns the config file. */
async function config(name: string, entry: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const work = join(dir, name);
  await mkdir(work, { recursive: true });
  return writeConfig(work, { registries: [{ hostname: target.host, ...entry }], state: { path: join(work, 'state.db') }, ...extra });
}

const load = (file: string, ...flags: string[]) => runCli(['load', '--config', file, '--all', '--log-format', 'json', ...flags]);
const tagsAt = async (registry: TestRegistry, repository: string): Promise<string[]> =>
  (await skopeoListTags(`${registry.host}/${repository}`, registry)).sort();
const deleteAtSource = (registry: TestRegistry, reference: string) =>
  skopeo(['delete', ...registry.skopeoFlags('plain'), `docker://${registry.host}/${reference}`], registry);
const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const pruneEvents = (stdout: string) => jsonLines(stdout).filter((e) => e.type === 'prune');

test('a tag removed at the source is pruned; a dry run and --prune-plan delete nothing; tags of others stay', async () => {
  await seed('t1/app', ['v1', 'v2', 'v3']);
  const file = await config('removed', { repository: 'p1', mirrors: [{ source: `${source.host}/t1/app`, prune: { maxFraction: 1 } }] });
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(await tagsAt(target, 'p1/t1/app'), ['v1', 'v2', 'v3']);
  // Someone else's tags: one under the rule's path, one beside it with a tag name the rule wrote.
  await pushRawImage(target, 'p1/t1/app:mine', { seed: 'pushed by hand' });
  await pushRawImage(target, 'p1/t1/other:v2', { seed: 'pushed by hand too' });
  await deleteAtSource(source, 't1/app:v2');

  const dry = await load(file, '--dry-run');
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  const planned = pruneEvents(dry.stdout);
  assert.deepEqual(
    planned.map((e) => [e.action, e.target, e.rule, e.reason]),
    [['would-delete', `${target.host}/p1/t1/app:v2`, 'mirrors[0]', 'gone from the source']],
  );
  assert.equal(typeof planned[0]?.lastSeenAt, 'number', 'the plan says when the source last had it');
  assert.deepEqual(await tagsAt(target, 'p1/t1/app'), ['mine', 'v1', 'v2', 'v3'], 'a dry run deletes nothing');

  const plan = await runCli(['load', '--config', file, '--all', '--prune-plan']);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(
    plan.stdout,
    new RegExp(
      `would prune ${target.host}/p1/t1/app:v2 \\(sha256:[0-9a-f]{12}\\): mirrors\\[0\\], source ${source.host}/t1/app:v2: gone from the source; last seen 20`,
    ),
  );
  assert.doesNotMatch(plan.stdout, /(would copy|up to date|copying) \S+ -> /, '--prune-plan plans no copy');
  assert.match(plan.stdout, /^would prune: 1 tag$/m, 'the summary counts it');
  assert.deepEqual(await tagsAt(target, 'p1/t1/app'), ['mine', 'v1', 'v2', 'v3'], '--prune-plan deletes nothing');

  const second = await load(file);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.deepEqual(
    pruneEvents(second.stdout).map((e) => [e.action, e.target]),
    [['deleted', `${target.host}/p1/t1/app:v2`]],
  );
  assert.deepEqual(await tagsAt(target, 'p1/t1/app'), ['mine', 'v1', 'v3'], 'v2 pruned; the tag pushed by hand kept');
  const text = await runCli(['load', '--config', file, '--all']);
  assert.doesNotMatch(text.stdout, /^pruned: /m, 'nothing more to prune: no count');
  assert.deepEqual(await tagsAt(target, 'p1/t1/other'), ['v2'], 'outside the rule: never touched');

  const third = await load(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.deepEqual(pruneEvents(third.stdout), [], 'nothing left to prune: the deletion was recorded');
});

test('the fraction guard stops a prune and says why; --prune-confirm lifts it for one run', async () => {
  await seed('t2/app', ['v1', 'v2', 'v3']);
  const file = await config('guard', { repository: 'p2', mirrors: [{ source: `${source.host}/t2/app`, prune: true }] });
  assert.equal((await load(file)).code, 0);
  await deleteAtSource(source, 't2/app:v1');

  const blocked = await load(file);
  assert.equal(blocked.code, 1, 'a stopped prune fails the run, so it is noticed');
  const problem = jsonLines(blocked.stdout).find((e) => e.type === 'selection-problem' && e.code === 'PRUNE_BLOCKED');
  assert.match(
    String(problem?.message),
    /^mirrors\[0\]: prune stopped by its guard: it would delete 1 tag \(33\.3% of its 3 tags is more than prune\.maxFraction 10%\); nothing was deleted/,
  );
  assert.deepEqual(await tagsAt(target, 'p2/t2/app'), ['v1', 'v2', 'v3'], 'nothing deleted');

  const confirmed = await load(file, '--prune-confirm');
  assert.equal(confirmed.code, 0, confirmed.stdout + confirmed.stderr);
  assert.deepEqual(await tagsAt(target, 'p2/t2/app'), ['v2', 'v3']);

  await deleteAtSource(source, 't2/app:v2');
  // Another history: what p2 holds was written under the first one, so this one owns nothing.
  const stranger = await config('guard-stranger', {
    repository: 'p2',
    mirrors: [{ source: `${source.host}/t2/app`, prune: { maxFraction: 1 } }],
  });
  const other = await load(stranger);
  assert.equal(other.code, 0, other.stdout + other.stderr);
  assert.deepEqual(pruneEvents(other.stdout), [], 'a history never deletes what it did not write');
  assert.deepEqual(await tagsAt(target, 'p2/t2/app'), ['v2', 'v3']);

  const counted = await config('guard', {
    repository: 'p2',
    mirrors: [{ source: `${source.host}/t2/app`, prune: { maxFraction: 1, maxCount: 0 } }],
  });
  const byCount = await load(counted);
  assert.equal(byCount.code, 1);
  assert.match(byCount.stdout, /it would delete 1 tag \(1 is more than prune\.maxCount 0\); nothing was deleted/);
  assert.deepEqual(await tagsAt(target, 'p2/t2/app'), ['v2', 'v3']);
});

test('a source listing that fails prunes nothing under it; the next complete listing does', async () => {
  const small = (name: string): ImageSpec => ({
    kind: 'image',
    format: 'oci',
    layers: [{ seed: `prune-${name}`, size: 1024 }],
    platform: { os: 'linux', architecture: 'amd64' },
  });
  await pushImage(small('a'), authed, 't3/app:a');
  await pushImage(small('b'), authed, 't3/app:b');
  const entry = (password: string) => ({
    repository: 'p3',
    mirrors: [{ source: `${authed.host}/t3/app`, prune: { maxFraction: 1 } }],
    pullAuthConfig: `${authed.username}:${password}`,
  });
  const good = await config('listing', entry(authed.password ?? ''));
  assert.equal((await load(good)).code, 0);
  await deleteAtSource(authed, 't3/app:b');

  const bad = await config('listing', entry('wrong-password'));
  const failed = await load(bad);
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /LISTING_FAILED/);
  // Nothing is selected from a failed listing, so both tags look gone: both stay.
  assert.deepEqual(
    pruneEvents(failed.stdout).map((e) => [e.action, e.target]),
    [
      ['kept', `${target.host}/p3/t3/app:a`],
      ['kept', `${target.host}/p3/t3/app:b`],
    ],
  );
  assert.match(String(pruneEvents(failed.stdout)[1]?.reason), /the source was not listed completely/);
  assert.deepEqual(await tagsAt(target, 'p3/t3/app'), ['a', 'b'], 'nothing pruned from an incomplete listing');

  const again = await load(await config('listing', entry(authed.password ?? '')));
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.deepEqual(await tagsAt(target, 'p3/t3/app'), ['a']);
});

test('a source repository gone (NAME_UNKNOWN) keeps its tags for graceRuns - 1 runs, then they are pruned', async () => {
  await seed('t4/app', ['v1', 'v2']);
  const file = await config('gone', {
    repository: 'p4',
    mirrors: [{ source: `${source.host}/t4/app`, prune: { maxFraction: 1, graceRuns: 2 } }],
  });
  assert.equal((await load(file)).code, 0);
  // Retired at the source: the repository is no more (its storage removed, as a registry admin would).
  await rm(join(source.rootDir, 'docker/registry/v2/repositories/t4'), { recursive: true, force: true });

  const once = await load(file);
  assert.equal(once.code, 1, 'the missing repository is a selection error as before');
  assert.deepEqual(
    pruneEvents(once.stdout).map((e) => e.action),
    ['kept', 'kept'],
  );
  assert.match(
    String(pruneEvents(once.stdout)[0]?.reason),
    /missing for 1 run in a row \(the source answers NAME_UNKNOWN\): its tags go after 2 \(prune\.graceRuns\)/,
  );
  assert.deepEqual(await tagsAt(target, 'p4/t4/app'), ['v1', 'v2']);

  const twice = await load(file);
  assert.deepEqual(
    pruneEvents(twice.stdout).map((e) => [e.action, e.target]),
    [
      ['deleted', `${target.host}/p4/t4/app:v1`],
      ['deleted', `${target.host}/p4/t4/app:v2`],
    ],
  );
  assert.deepEqual(await tagsAt(target, 'p4/t4/app'), []);
});

test('two target tags at one digest: when one must stay, the other is kept with a note (distribution deletes by digest)', async () => {
  await pushRawImage(source, 't5/app:a', { seed: 'shared' });
  await pushRawImage(source, 't5/app:b', { seed: 'shared' });
  const rule = (tags?: object) => ({ source: `${source.host}/t5/app`, prune: { maxFraction: 1 }, ...(tags ? { tags } : {}) });
  const all = await config('shared', { repository: 'p5', mirrors: [rule()] });
  assert.equal((await load(all)).code, 0);
  // Same rule (same source and target), now leaving b out: b's digest is a's, and a stays.
  const onlyA = await config('shared', { repository: 'p5', mirrors: [rule({ exclude: ['b'] })] });
  const result = await load(onlyA);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const [kept] = pruneEvents(result.stdout);
  assert.equal(kept?.action, 'kept');
  assert.match(
    String(kept.reason),
    /the registry deletes by digest only, which would remove every tag at sha256:[0-9a-f]{64}, and a must stay: kept/,
  );
  assert.deepEqual(await tagsAt(target, 'p5/t5/app'), ['a', 'b']);
});

test('a signature and the referrers fallback index are pruned with their image', async () => {
  await seed('t6/app', ['v1', 'v2']);
  const file = await config('referrers', { repository: 'p6', mirrors: [{ source: `${source.host}/t6/app`, prune: { maxFraction: 1 } }] });
  assert.equal((await load(file)).code, 0);
  const { digest } = await skopeoInspectRaw(`${target.host}/p6/t6/app:v2`, target);
  const fallbackTag = digest.replace(':', '-');
  // A cosign-style signature tag, and an artifact with `subject` listed in the fallback index.
  await pushRawImage(target, `p6/t6/app:${fallbackTag}.sig`, { seed: 'signature of v2' });
  const config_ = await pushRawBlob(target, 'p6/t6/app', Buffer.from('{}'));
  const artifact = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: config_, size: 2 },
      layers: [],
      subject: { mediaType: OCI_MANIFEST, digest, size: 1 },
    }),
  );
  // Pushed by digest, untagged like a real referrer: only the fallback index names it.
  const artifactDigest = await pushRawManifest(target, 'p6/t6/app', digestOf(artifact), artifact, OCI_MANIFEST);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: artifactDigest, size: artifact.length, artifactType: 'application/vnd.example.sbom' }],
    }),
  );
  await pushRawManifest(target, 'p6/t6/app', fallbackTag, index, OCI_INDEX);
  const fallbackDigest = await digestAt(target, `p6/t6/app:${fallbackTag}`);
  const signatureDigest = await digestAt(target, `p6/t6/app:${fallbackTag}.sig`);
  await deleteAtSource(source, 't6/app:v2');

  const result = await load(file);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const [pruned, ...referrers] = pruneEvents(result.stdout);
  assert.equal(pruned?.action, 'deleted');
  assert.deepEqual(pruned.referrers, [fallbackTag, `${fallbackTag}.sig`]);
  // Each manifest that went with it is a deletion of its own: the listed artifact, the fallback index, the signature.
  assert.deepEqual(
    referrers.map((e) => [e.action, e.target, e.referrerOf]).sort(),
    [artifactDigest, fallbackDigest, signatureDigest]
      .map((d) => ['deleted', `${target.host}/p6/t6/app@${d}`, `${target.host}/p6/t6/app:v2`])
      .sort(),
  );
  assert.deepEqual(await tagsAt(target, 'p6/t6/app'), ['v1'], 'the image, its signature tag and its fallback index tag are gone');
  const artifactHead = await fetch(`${target.url}/v2/p6/t6/app/manifests/${artifactDigest}`, { method: 'HEAD' });
  assert.equal(artifactHead.status, 404, 'the referrer the fallback index listed is gone too');
});

test('a target with deletes disabled: the 405 is reported clearly and the copies still succeed', async () => {
  await seed('t7/app', ['v1', 'v2']);
  const entry = { hostname: noDelete.host, repository: 'p7', mirrors: [{ source: `${source.host}/t7/app`, prune: { maxFraction: 1 } }] };
  const work = join(dir, 'no-delete');
  await mkdir(work);
  const file = await writeConfig(work, { registries: [entry], state: { path: join(work, 'state.db') } });
  assert.equal((await load(file)).code, 0);
  await deleteAtSource(source, 't7/app:v1');
  await seed('t7/app', ['v3']);

  const result = await load(file);
  assert.equal(result.code, 1);
  const problem = jsonLines(result.stdout).find((e) => e.type === 'selection-problem' && e.code === 'PRUNE_FAILED');
  assert.match(
    String(problem?.message),
    new RegExp(
      `^mirrors\\[0\\]: target registry ${noDelete.host} does not allow deletes \\(DELETE p7/t7/app answered 405 UNSUPPORTED\\): enable them there \\(distribution: storage\\.delete\\.enabled: true`,
    ),
  );
  const finished = jsonLines(result.stdout).find((e) => e.type === 'run-finished');
  assert.equal(finished?.copied, 1, 'v3 was copied all the same');
  assert.deepEqual(await tagsAt(noDelete, 'p7/t7/app'), ['v1', 'v2', 'v3']);
});

test('prune on a one-image source, a bad guard, a misspelt key or value is a config error at its key', async () => {
  const file = await config('bad', {
    repository: 'p8',
    mirrors: [
      { source: `${source.host}/t1/app:v1`, prune: true },
      { source: `${source.host}/t1/app`, prune: { maxFraction: 2, graceRuns: 0 } },
      { source: `${source.host}/t1/app`, prune: { gracRuns: 3 } },
      { source: `${source.host}/t1/app`, prune: 'yes' },
    ],
  });
  const result = await runCli(['config', 'check', '--config', file]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(
    result.stderr + result.stdout,
    /registries\[0\]\.mirrors\[0\]\.prune: prunes what left a listed source, but this source names its images/,
  );
  assert.match(result.stderr + result.stdout, /registries\[0\]\.mirrors\[1\]\.prune\.maxFraction: must be between 0 and 1/);
  assert.match(
    result.stderr + result.stdout,
    /registries\[0\]\.mirrors\[2\]\.prune\.gracRuns: unknown key "gracRuns" \(did you mean "graceRuns"\?\)/,
  );
  assert.match(
    result.stderr + result.stdout,
    /registries\[0\]\.mirrors\[3\]\.prune: expected a boolean \(true or false\) or a mapping, got string "yes"/,
  );
});
