import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pushArtifact, pushRawImage, pushReferrersTag, skopeoListTags, subjectOf } from '../harness/index.js';
import { SIG, loadAll, ownedReferrers, pruneEvents, usePruneReferrersRig } from './prune-referrers-kit.js';

/*
 * What a failed prune leaves owed is deleted by a later run: the manifests an unreadable referrers
 * fallback index lists (the index is read again on the retry), and a referrer whose DELETE failed
 * when its tag was selected again (with another image) before it was pruned again. Real registries
 * (deletes enabled) behind the referrers front; the target's fault proxy fails one GET or DELETE.
 */

const { source, target, mirror, deleteAtSource, statusAt } = usePruneReferrersRig('pb-prune-referrer-owed-');
const SBOM = 'application/vnd.example.sbom';
const load = loadAll;
const recordsOf = ownedReferrers;

test('a fallback index that could not be read is read again by the next run, and what it lists is deleted with it', async () => {
  const repo = 'ow/index';
  await pushRawImage(source.front, `${repo}:v1`, { seed: 'owed-index v1' });
  await pushRawImage(source.front, `${repo}:v2`, { seed: 'owed-index v2' });
  const { file, state } = await mirror('index', repo);
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  // Someone attached an SBOM at the mirror the way a client without the referrers API does: a fallback index names it.
  const at = `pr/${repo}`;
  const subject = await subjectOf(target.registry, at, 'v2');
  const sbom = await pushArtifact(target.registry, at, subject, { artifactType: SBOM, seed: 'sbom attached at the mirror' });
  const index = await pushReferrersTag(target.registry, at, subject.digest, [sbom]);
  await deleteAtSource(`${repo}:v2`);

  // Every attempt to read the fallback index (the transport retries a 500) fails during this run.
  const proxy = target.proxy;
  proxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/manifests/${index.digest}$`),
    times: 1000,
    action: { kind: 'status', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"storage unavailable"}]}' },
  });
  const second = await load(file);
  proxy.clearFaults();
  const tag = `${proxy.host}/${at}:v2`;
  const named = (digest: string) => `${proxy.host}/${at}@${digest}`;
  assert.notEqual(second.code, 0, 'a failed deletion fails the run');
  assert.deepEqual(pruneEvents(second.stdout), [
    ['deleted', tag, undefined],
    ['failed', named(index.digest), tag],
  ]);
  assert.equal(await statusAt(at, index.digest), 200, 'the unreadable index is still there');
  assert.equal(await statusAt(at, sbom.digest), 200, 'and so is what it lists');

  const third = await load(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.deepEqual(pruneEvents(third.stdout), [
    ['released', tag, undefined],
    ['deleted', named(sbom.digest), tag],
    ['deleted', named(index.digest), tag],
  ]);
  assert.equal(await statusAt(at, sbom.digest), 404, 'what the index listed went with it');
  assert.equal(await statusAt(at, index.digest), 404, 'the index went');
  assert.deepEqual(await skopeoListTags(`${target.registry.host}/${at}`, target.registry), ['v1'], 'its fallback tag went with it');

  const fourth = await load(file);
  assert.equal(fourth.code, 0, fourth.stdout + fourth.stderr);
  assert.deepEqual(pruneEvents(fourth.stdout), [], 'nothing left to prune or to retry');
  assert.deepEqual(await recordsOf(state, `${proxy.host}/${at}`), [], 'no record left');
});

test('a referrer whose DELETE failed is deleted when its tag, selected again meanwhile with another image, is pruned', async () => {
  const repo = 'ow/again';
  await pushRawImage(source.front, `${repo}:v1`, { seed: 'owed-again v1' });
  await pushRawImage(source.front, `${repo}:v2`, { seed: 'owed-again v2' });
  const sig = await pushArtifact(source.front, repo, await subjectOf(source.front, repo, 'v2'), { artifactType: SIG, seed: 'sig of v2' });
  const { file, state } = await mirror('again', repo);
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const at = `pr/${repo}`;
  assert.equal(await statusAt(at, sig.digest), 200, 'the signature was mirrored');
  await deleteAtSource(`${repo}:v2`);

  // Every attempt of the signature's DELETE fails during this run.
  const proxy = target.proxy;
  proxy.addFault({
    method: 'DELETE',
    pathPattern: new RegExp(`/manifests/${sig.digest}$`),
    times: 1000,
    action: { kind: 'status', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"storage unavailable"}]}' },
  });
  const second = await load(file);
  proxy.clearFaults();
  const tag = `${proxy.host}/${at}:v2`;
  const referrer = `${proxy.host}/${at}@${sig.digest}`;
  assert.notEqual(second.code, 0, 'a failed deletion fails the run');
  assert.deepEqual(pruneEvents(second.stdout), [
    ['deleted', tag, undefined],
    ['failed', referrer, tag],
  ]);

  // Before any retry, v2 comes back at the source as another image: the tag is selected and written again.
  await pushRawImage(source.front, `${repo}:v2`, { seed: 'owed-again v2 rebuilt' });
  const third = await load(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.deepEqual(pruneEvents(third.stdout), [], 'v2 is selected: nothing is pruned');
  assert.notEqual((await subjectOf(target.registry, at, 'v2')).digest, sig.digest);

  // v2 goes again: the signature of the image it held before, owed since the second run, goes with it.
  await deleteAtSource(`${repo}:v2`);
  const fourth = await load(file);
  assert.equal(fourth.code, 0, fourth.stdout + fourth.stderr);
  assert.deepEqual(pruneEvents(fourth.stdout), [
    ['deleted', tag, undefined],
    ['deleted', referrer, tag],
  ]);
  assert.equal(await statusAt(at, sig.digest), 404, 'the owed signature was deleted');
  assert.deepEqual(await skopeoListTags(`${target.registry.host}/${at}`, target.registry), ['v1']);
  assert.deepEqual(await recordsOf(state, `${proxy.host}/${at}`), [], 'no record left');
});
