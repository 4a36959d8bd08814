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
  startReferrersFront,
  startRegistry,
  startedSoFar,
  subjectOf,
  type FaultProxy,
  type ReferrersFront,
  type TestRegistry,
} from '../harness/index.js';
import { dockerImage, ociImage, ociIndex } from './fixtures.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';
import { writeConfig } from './sync-kit.js';

/*
 * What a `load` with signatures on (the default) asks the registries, counted by fault proxies in
 * front of real ones. distribution 2.8 has no referrers API (404): a run asks it once per source
 * repository; a subject whose fallback tag is not in the repository's tag list (listed anyway for
 * cosign tags) gets no HEAD; an up-to-date index whose repository can hold no referrer is not read.
 * Behind the referrers front (an API), every subject is still asked and every signature travels.
 */

let source: TestRegistry;
let target: TestRegistry;
let sourceProxy: FaultProxy;
let targetProxy: FaultProxy;
let apiSource: TestRegistry;
let front: ReferrersFront;
let apiProxy: FaultProxy;
let dir: string;
let signedTags: string[] = [];

before(async () => {
  [source, target, apiSource] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  dir = await tempDir('pb-referrer-lookups-');
  await pushImage(ociImage, source, 'plain/app:v1');
  await pushImage(dockerImage, source, 'plain/app:v2');
  await pushImage(ociIndex, source, 'plain/multi:v1');
  await pushImage(ociImage, source, 'signed/app:v1');
  const subject = await subjectOf(source, 'signed/app', 'v1');
  const sig = await pushArtifact(source, 'signed/app', subject, { artifactType: 'application/example.sig', seed: 'lookups' });
  const fallback = await pushReferrersTag(source, 'signed/app', subject.digest, [sig]);
  const cosign = await pushCosignTag(source, 'signed/app', subject.digest, 'sig', 'lookups');
  signedTags = [fallback.tag, cosign.tag, 'v1'].sort();
  [sourceProxy, targetProxy] = await Promise.all([startFaultProxy(source), startFaultProxy(target)]);
  front = await startReferrersFront(apiSource);
  for (const tag of ['v1', 'v2']) {
    await pushImage(tag === 'v1' ? ociImage : dockerImage, front, `api/app:${tag}`);
    const signedHere = await subjectOf(front, 'api/app', tag);
    await pushArtifact(front, 'api/app', signedHere, { artifactType: 'application/example.sig', seed: `api-${tag}` });
  }
  await pushImage(ociIndex, front, 'api/multi:v1');
  apiProxy = await startFaultProxy(front);
});

after(async () => {
  const started = startedSoFar({ source, target, apiSource, sourceProxy, targetProxy, front, apiProxy });
  await Promise.all([started.sourceProxy?.close(), started.targetProxy?.close(), started.apiProxy?.close()]);
  await started.front?.close();
  await Promise.all([started.source?.stop(), started.target?.stop(), started.apiSource?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function load(name: string, entry: Record<string, unknown>, ...flags: string[]): Promise<string> {
  const work = join(dir, name);
  await mkdir(work, { recursive: true });
  const file = await writeConfig(work, { registries: [{ hostname: targetProxy.host, ...entry }] });
  const result = await runCli(['load', '--config', file, '--all', ...flags]);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  return result.stdout;
}

const referrersApiGets = (repository: string) => sourceProxy.count('GET', new RegExp(`^/v2/${repository}/referrers/`));
const fallbackHeads = (repository: string) => sourceProxy.count('HEAD', new RegExp(`^/v2/${repository}/manifests/sha256-[0-9a-f]{64}$`));

test('a no-change load asks the referrers API once per repository, no fallback tag the tag list lacks, and reads no manifest at the target', async () => {
  const images = ['plain/app:v1', 'plain/app:v2', 'plain/multi:v1', 'signed/app:v1'].map((i) => `${sourceProxy.host}/${i}`);
  const entry = { repository: 'lookups', images };
  await load('first', entry);
  assert.deepEqual((await skopeoListTags(`${target.host}/lookups/signed/app`, target)).sort(), signedTags);

  sourceProxy.clearRequests();
  targetProxy.clearRequests();
  await load('again', entry);
  for (const repository of ['plain/app', 'plain/multi', 'signed/app'])
    assert.equal(referrersApiGets(repository), 1, `${repository}: one 404 says the registry has no referrers API`);
  assert.equal(fallbackHeads('plain/app'), 0, 'no sha256-<hex> tag in the list: no HEAD for it');
  assert.equal(fallbackHeads('plain/multi'), 0);
  assert.equal(fallbackHeads('signed/app'), 1, 'the one fallback tag the list names is looked at (only that one)');
  assert.equal(targetProxy.count('GET', /^\/v2\/lookups\/plain\/.*\/manifests\//), 0, 'nothing read at the target for the unsigned images');
  assert.equal(sourceProxy.count('GET', /^\/v2\/plain\/.*\/manifests\//), 0, 'nor at the source');
  assert.deepEqual((await skopeoListTags(`${target.host}/lookups/signed/app`, target)).sort(), signedTags);
});

test('a dry run of an up-to-date index whose repository can hold no referrer reads no manifest either, as the copy', async () => {
  const entry = { repository: 'lookups-dry', images: [`${sourceProxy.host}/plain/multi:v1`] };
  await load('dry-first', entry);
  sourceProxy.clearRequests();
  targetProxy.clearRequests();
  const stdout = await load('dry', entry, '--dry-run', '--log-format', 'json');
  const planned = jsonLines(stdout).filter((e) => e.type === 'image-planned');
  assert.deepEqual(
    planned.map((e) => [e.action, e.referrers]),
    [['up-to-date', undefined]],
    'up to date, no referrer to copy',
  );
  assert.equal(referrersApiGets('plain/multi'), 1, 'the index itself is asked for referrers (one 404: no API)');
  assert.equal(targetProxy.count('GET', /\/manifests\//), 0, 'its children are not read at the target');
  assert.equal(sourceProxy.count('GET', /\/manifests\//), 0, 'nor at the source');
});

test('cosignTags: false lists no tags, so the fallback tag is still looked for (and copied) by HEAD', async () => {
  sourceProxy.clearRequests();
  await load('no-cosign', { repository: 'no-cosign', cosignTags: false, images: [`${sourceProxy.host}/signed/app:v1`] });
  assert.equal(sourceProxy.count('GET', /\/tags\/list/), 0);
  assert.ok(fallbackHeads('signed/app') >= 1);
  const tags = (await skopeoListTags(`${target.host}/no-cosign/signed/app`, target)).sort();
  assert.deepEqual(
    tags,
    signedTags.filter((t) => !t.endsWith('.sig')),
  );
});

test('a source with the referrers API is asked for every manifest: the signatures of both images of a repository travel', async () => {
  await load('api', { repository: 'from-api', images: [`${front.host}/api/app:v1`, `${front.host}/api/app:v2`] });
  // The target (no referrers API) lists each image's signature in the image's fallback tag.
  const tags = await skopeoListTags(`${target.host}/from-api/api/app`, target);
  assert.equal(tags.filter((t) => /^sha256-[0-9a-f]{64}$/.test(t)).length, 2, tags.join(', '));
});

test("an up-to-date index whose children may have referrers takes them from the source's index the check read, not the target's", async () => {
  const entry = { repository: 'from-api-index', images: [`${apiProxy.host}/api/multi:v1`] };
  await load('api-index', entry);
  // HEADs without Docker-Content-Digest: the no-change check reads the source's index (see copy-digest-fallback).
  apiProxy.addFault({
    method: 'HEAD',
    pathPattern: /\/manifests\//,
    times: 1000,
    action: { kind: 'drop-headers', names: ['docker-content-digest'] },
  });
  targetProxy.clearRequests();
  apiProxy.clearRequests();
  await load('api-index-again', entry);
  assert.equal(apiProxy.count('GET', /^\/v2\/api\/multi\/manifests\/v1$/), 1, 'the check read the index at the source');
  assert.equal(apiProxy.count('GET', /^\/v2\/api\/multi\/referrers\//), 4, 'the index and its three children were asked for referrers');
  assert.equal(targetProxy.count('GET', /\/manifests\//), 0, 'the same digest: its children are known without reading the target');
});
