import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pushArtifact, pushRawImage, skopeoListTags, subjectOf } from '../harness/index.js';
import { SIG, loadAll, ownedReferrers, pruneEvents, usePruneReferrersRig } from './prune-referrers-kit.js';

/*
 * A tag picture-book owns that someone else pushed over (the target tag holds another image than
 * the one written) is released, never deleted. A referrer owed from a run before (its DELETE failed
 * after its image went) is still deleted then; the referrers picture-book copied for the image the
 * tag held stay (that image was not deleted), and so do their records: written there again and
 * pruned, the image takes them with it. Real registries (deletes enabled) behind the referrers
 * front; the target's fault proxy fails a DELETE.
 */

const { source, target, mirror, deleteAtSource, statusAt } = usePruneReferrersRig('pb-prune-pushed-over-');
const load = loadAll;
const recordsOf = async (state: string, repository: string) =>
  (await ownedReferrers(state, repository)).map((r) => [r.target, r.digest, r.owed === true]);

test('a referrer owed from a run before is deleted when its tag is found pushed over, and the tag is released', async () => {
  const repo = 'po/owed';
  await pushRawImage(source.front, `${repo}:v1`, { seed: 'pushed-owed v1' });
  await pushRawImage(source.front, `${repo}:v2`, { seed: 'pushed-owed v2' });
  const sig = await pushArtifact(source.front, repo, await subjectOf(source.front, repo, 'v2'), { artifactType: SIG, seed: 'sig of v2' });
  const { file, state } = await mirror('owed', repo);
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const at = `pr/${repo}`;
  assert.equal(await statusAt(at, sig.digest), 200, 'the signature was mirrored');
  await deleteAtSource(`${repo}:v2`);

  // Every attempt of the signature's DELETE fails during this run: it is owed.
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

  // Before any retry, someone else pushes another image to v2 at the mirror.
  const theirs = await pushRawImage(target.registry, `${at}:v2`, { seed: 'pushed-owed someone else' });
  const third = await load(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.deepEqual(pruneEvents(third.stdout), [
    ['released', tag, undefined],
    ['deleted', referrer, tag],
  ]);
  assert.equal(await statusAt(at, sig.digest), 404, 'the owed signature was deleted');
  assert.equal((await subjectOf(target.registry, at, 'v2')).digest, theirs.digest, 'the tag pushed over stays as it is');
  assert.deepEqual((await skopeoListTags(`${target.registry.host}/${at}`, target.registry)).sort(), ['v1', 'v2']);
  assert.deepEqual(await recordsOf(state, `${proxy.host}/${at}`), [], 'no record left');

  const fourth = await load(file);
  assert.equal(fourth.code, 0, fourth.stdout + fourth.stderr);
  assert.deepEqual(pruneEvents(fourth.stdout), [], 'released: nothing left to prune or to retry');
});

test("a tag pushed over keeps its image's signature and its record: written there again and pruned, it goes with the image", async () => {
  const repo = 'po/kept';
  await pushRawImage(source.front, `${repo}:v1`, { seed: 'pushed-kept v1' });
  const image = await pushRawImage(source.front, `${repo}:v2`, { seed: 'pushed-kept v2' });
  const sig = await pushArtifact(source.front, repo, await subjectOf(source.front, repo, 'v2'), {
    artifactType: SIG,
    seed: 'sig of kept v2',
  });
  const { file, state } = await mirror('kept', repo);
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const at = `pr/${repo}`;
  const proxy = target.proxy;
  const tag = `${proxy.host}/${at}:v2`;
  assert.equal(await statusAt(at, sig.digest), 200, 'the signature was mirrored');
  assert.deepEqual(await recordsOf(state, `${proxy.host}/${at}`), [[tag, sig.digest, false]]);

  // Someone else pushes another image over v2 at the mirror; then v2 leaves the source.
  await pushRawImage(target.registry, `${at}:v2`, { seed: 'pushed-kept someone else' });
  await deleteAtSource(`${repo}:v2`);
  const second = await load(file);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.deepEqual(pruneEvents(second.stdout), [['released', tag, undefined]]);
  assert.equal(await statusAt(at, image.digest), 200, 'the image picture-book wrote is still there, untagged');
  assert.equal(await statusAt(at, sig.digest), 200, 'and so is its signature: not deleted with a tag someone else holds');
  assert.deepEqual(await recordsOf(state, `${proxy.host}/${at}`), [[tag, sig.digest, false]], 'its record kept');

  // v2 comes back at the source as the same image: written over theirs; the signature is there already (not copied again).
  await pushRawImage(source.front, `${repo}:v2`, { seed: 'pushed-kept v2' });
  const third = await load(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.equal((await subjectOf(target.registry, at, 'v2')).digest, image.digest, 'v2 holds the image again');

  // v2 goes for good: the signature goes with its image.
  await deleteAtSource(`${repo}:v2`);
  const fourth = await load(file);
  assert.equal(fourth.code, 0, fourth.stdout + fourth.stderr);
  assert.deepEqual(pruneEvents(fourth.stdout), [
    ['deleted', tag, undefined],
    ['deleted', `${proxy.host}/${at}@${sig.digest}`, tag],
  ]);
  assert.equal(await statusAt(at, sig.digest), 404, 'the signature went with its image');
  assert.deepEqual(await skopeoListTags(`${target.registry.host}/${at}`, target.registry), ['v1']);
  assert.deepEqual(await recordsOf(state, `${proxy.host}/${at}`), [], 'no record left');
});
