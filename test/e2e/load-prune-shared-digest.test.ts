import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqliteRunStore } from '../../src/store/index.js';
import { pushArtifact, pushRawImage, skopeoListTags, subjectOf } from '../harness/index.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';
import { useReferrersApiSides } from './referrers-api-kit.js';
import { writeConfig } from './sync-kit.js';

/*
 * A registry that deletes a tag alone (distribution 3, OCI 1.1): pruning one of two tags at the same
 * digest leaves the image and its referrers to the tag that stays, and when that one goes too, the
 * referrer picture-book copied for the first goes with it (its record was handed over, not
 * forgotten). Real registries (deletes enabled) behind the referrers front, which also deletes tags
 * alone (distribution 2.8 does not).
 */

const { source, target } = useReferrersApiSides({ tagDeletes: true });
let dir: string;
before(async () => {
  dir = await tempDir('pb-prune-shared-digest-');
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const load = (file: string) => runCli(['load', '--config', file, '--all', '--log-format', 'json']);
const pruneEvents = (stdout: string) =>
  jsonLines(stdout)
    .filter((e) => e.type === 'prune')
    .map((e) => [e.action, e.target, e.referrerOf]);
/** Deletes the tag alone at the source (through its front). */
const untagAtSource = async (repository: string, tag: string): Promise<void> => {
  const answer = await fetch(`${source.front.url}/v2/${repository}/manifests/${tag}`, { method: 'DELETE' });
  assert.equal(answer.status, 202);
};
/** What the target registry itself answers for a manifest. */
const statusAt = async (repository: string, digest: string): Promise<number> =>
  (
    await fetch(`${target.registry.url}/v2/${repository}/manifests/${digest}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
    })
  ).status;

async function recordsOf(state: string, repository: string) {
  const store = SqliteRunStore.open(state);
  try {
    return (await store.ownership.ownedReferrers(repository)).map((r) => [r.target, r.digest]);
  } finally {
    await store.close();
  }
}

test('two tags at one digest pruned one after the other: the referrer stays with the first, goes with the last', async () => {
  const repo = 'sh/app';
  await pushRawImage(source.front, `${repo}:keep`, { seed: 'shared keep' });
  await pushRawImage(source.front, `${repo}:v1`, { seed: 'shared digest' });
  const subject = await subjectOf(source.front, repo, 'v1');
  const sig = await pushArtifact(source.front, repo, subject, { artifactType: SIG, seed: 'sig of the shared image' });
  const work = join(dir, 'shared');
  await mkdir(work, { recursive: true });
  const state = join(work, 'state.db');
  const file = await writeConfig(work, {
    registries: [
      {
        hostname: target.proxy.host,
        repository: 'pr',
        mirrors: [{ source: `${source.front.host}/${repo}`, prune: { maxFraction: 1 } }],
      },
    ],
    state: { path: state },
  });
  const at = `pr/${repo}`;
  const tagAt = (tag: string) => `${target.proxy.host}/${at}:${tag}`;

  // v1 first: the signature is copied for v1 and recorded for it. Then v2, the same image: the signature is already there.
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(await statusAt(at, sig.digest), 200, 'the signature was mirrored');
  await pushRawImage(source.front, `${repo}:v2`, { seed: 'shared digest' });
  assert.equal((await subjectOf(source.front, repo, 'v2')).digest, subject.digest, 'v2 is the same image');
  const second = await load(file);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.deepEqual(await recordsOf(state, `${target.proxy.host}/${at}`), [[tagAt('v1'), sig.digest]], 'recorded for v1 alone');

  // v1 goes: deleted alone; v2 still holds the image, so the signature stays, now on record for v2.
  await untagAtSource(repo, 'v1');
  const third = await load(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.deepEqual(pruneEvents(third.stdout), [['deleted', tagAt('v1'), undefined]]);
  assert.deepEqual((await skopeoListTags(`${target.registry.host}/${at}`, target.registry)).sort(), ['keep', 'v2']);
  assert.equal(await statusAt(at, sig.digest), 200, 'the signature of what v2 holds stays');
  assert.deepEqual(await recordsOf(state, `${target.proxy.host}/${at}`), [[tagAt('v2'), sig.digest]], 'handed over to v2');

  // v2 goes: the last tag of the image, and the signature with it.
  await untagAtSource(repo, 'v2');
  const fourth = await load(file);
  assert.equal(fourth.code, 0, fourth.stdout + fourth.stderr);
  assert.deepEqual(pruneEvents(fourth.stdout), [
    ['deleted', tagAt('v2'), undefined],
    ['deleted', `${target.proxy.host}/${at}@${sig.digest}`, tagAt('v2')],
  ]);
  assert.equal(await statusAt(at, sig.digest), 404, 'the signature went with the last tag of its image');
  assert.deepEqual((await skopeoListTags(`${target.registry.host}/${at}`, target.registry)).sort(), ['keep']);
  assert.deepEqual(await recordsOf(state, `${target.proxy.host}/${at}`), [], 'no record left');
});
