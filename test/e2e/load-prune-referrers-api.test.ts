import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqliteRunStore } from '../../src/store/index.js';
import {
  pushArtifact,
  pushImage,
  pushRawImage,
  skopeo,
  skopeoListTags,
  subjectOf,
  type ImageSpec,
  type IndexSpec,
  type PushedArtifact,
  type Subject,
} from '../harness/index.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';
import { useReferrersApiSides } from './referrers-api-kit.js';
import { writeConfig } from './sync-kit.js';

/*
 * Pruning what only the referrers API leads to: the built CLI's `load` between two real registries
 * (deletes enabled), each behind the harness's referrers front (as copy-referrers-api does), so
 * the signatures travel by the API and the target gets no fallback or cosign tag naming them.
 */

// Each side also has a fault proxy in front; this file reaches the referrers fronts directly.
const { source, target } = useReferrersApiSides();
let dir: string;

before(async () => {
  dir = await tempDir('pb-prune-referrers-');
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';

/** A config with one rule mirroring `repository` into `into`, with its own history database. */
async function config(name: string, repository: string, into: string): Promise<{ file: string; state: string }> {
  const work = join(dir, name);
  await mkdir(work, { recursive: true });
  const state = join(work, 'state.db');
  const mirrors = [{ source: `${source.front.host}/${repository}`, prune: { maxFraction: 1 } }];
  return {
    file: await writeConfig(work, { registries: [{ hostname: target.front.host, repository: into, mirrors }], state: { path: state } }),
    state,
  };
}

const load = (file: string, ...flags: string[]) => runCli(['load', '--config', file, '--all', '--log-format', 'json', ...flags]);
const pruneEvents = (stdout: string) => jsonLines(stdout).filter((e) => e.type === 'prune');
const sign = (repository: string, subject: Subject, seed: string): Promise<PushedArtifact> =>
  pushArtifact(source.front, repository, subject, { artifactType: SIG, seed });
/** What the target registry itself (not its front, which remembers what went through it) answers for a manifest. */
const statusAt = async (repository: string, digest: string): Promise<number> =>
  (
    await fetch(`${target.registry.url}/v2/${repository}/manifests/${digest}`, {
      method: 'HEAD',
      // distribution answers 404 for an OCI manifest to a client that does not accept the type.
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    })
  ).status;
const deleteAtSource = (reference: string) =>
  skopeo(['delete', ...source.registry.skopeoFlags('plain'), `docker://${source.registry.host}/${reference}`], source.registry);

test('a signature only the referrers API lists is pruned with its image, recorded and planned; that of a kept image stays', async () => {
  const repo = 'r1/app';
  await pushRawImage(source.front, `${repo}:v1`, { seed: 'prune-referrers v1' });
  await pushRawImage(source.front, `${repo}:v2`, { seed: 'prune-referrers v2' });
  const sig1 = await sign(repo, await subjectOf(source.front, repo, 'v1'), 'sig of v1');
  const sig2 = await sign(repo, await subjectOf(source.front, repo, 'v2'), 'sig of v2');
  const { file, state } = await config('single', repo, 'p1');
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const at = `p1/${repo}`;
  assert.equal(await statusAt(at, sig2.digest), 200, 'the signature was mirrored');
  assert.deepEqual((await skopeoListTags(`${target.registry.host}/${at}`, target.registry)).sort(), ['v1', 'v2'], 'and no tag names it');
  await deleteAtSource(`${repo}:v2`);

  const referrer = `${target.front.host}/${at}@${sig2.digest}`;
  const plan = await runCli(['load', '--config', file, '--all', '--prune-plan']);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, new RegExp(`\\] would prune ${target.front.host}/${at}:v2 \\(`));
  assert.match(
    plan.stdout,
    new RegExp(`\\] would prune ${referrer} \\(.*: referrer of ${target.front.host}/${at}:v2, gone from the source`),
  );
  assert.match(plan.stdout, /^would prune: 1 tag$/m, 'the summary counts tags');
  assert.equal(await statusAt(at, sig2.digest), 200, '--prune-plan deletes nothing');

  const second = await load(file);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.deepEqual(
    pruneEvents(second.stdout).map((e) => [e.action, e.target, e.referrerOf]),
    [
      ['deleted', `${target.front.host}/${at}:v2`, undefined],
      ['deleted', referrer, `${target.front.host}/${at}:v2`],
    ],
  );
  assert.equal(await statusAt(at, sig2.digest), 404, 'the signature of the pruned image is gone');
  assert.equal(await statusAt(at, sig1.digest), 200, 'the signature of the kept image stays');
  assert.deepEqual(await skopeoListTags(`${target.registry.host}/${at}`, target.registry), ['v1']);

  const store = SqliteRunStore.open(state);
  try {
    const pruned = await store.ownership.prunedTags({ limit: 10 });
    assert.deepEqual(
      pruned.map((p) => [p.target, p.digest, p.rule]),
      [
        [referrer, sig2.digest, 'mirrors[0]'],
        [`${target.front.host}/${at}:v2`, pruned[1]?.digest, 'mirrors[0]'],
      ],
    );
    assert.match(pruned[0]?.reason ?? '', /^referrer of .*:v2, gone from the source$/);
  } finally {
    await store.close();
  }
});

/** An index of a child shared with another index and one of its own (`own`). */
const indexWith = (own: string): IndexSpec => {
  const child = (seed: string, architecture: string): ImageSpec => ({
    kind: 'image',
    format: 'oci',
    layers: [{ seed, size: 2048 }],
    platform: { os: 'linux', architecture },
  });
  return { kind: 'index', format: 'oci', images: [child('prune-shared-child', 'amd64'), child(own, 'arm64')] };
};

async function children(repository: string, tag: string): Promise<Subject[]> {
  const response = await fetch(`${source.front.url}/v2/${repository}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.oci.image.index.v1+json' },
  });
  return (JSON.parse(await response.text()) as { manifests: Subject[] }).manifests;
}

test("a child's signature stays while another kept index holds that child, however it was recorded", async () => {
  const repo = 'r2/app';
  // v2 is mirrored first: the shared child's signature is copied (and recorded) for v2 only.
  await pushImage(indexWith('prune-child-of-v2'), source.front, `${repo}:v2`);
  const [shared, ownOfV2] = await children(repo, 'v2');
  assert.ok(shared && ownOfV2);
  const v2Sig = await sign(repo, await subjectOf(source.front, repo, 'v2'), 'sig of index v2');
  const sharedSig = await sign(repo, shared, 'sig of the shared child');
  const ownSig = await sign(repo, ownOfV2, 'sig of the child of v2');
  const { file } = await config('shared-child', repo, 'p2');
  assert.equal((await load(file)).code, 0);
  await pushImage(indexWith('prune-child-of-v1'), source.front, `${repo}:v1`);
  const second = await load(file);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  await deleteAtSource(`${repo}:v2`);

  const third = await load(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  const at = `p2/${repo}`;
  assert.deepEqual(
    pruneEvents(third.stdout)
      .map((e) => e.target)
      .sort(),
    [`${target.front.host}/${at}:v2`, `${target.front.host}/${at}@${v2Sig.digest}`, `${target.front.host}/${at}@${ownSig.digest}`].sort(),
  );
  assert.equal(await statusAt(at, v2Sig.digest), 404);
  assert.equal(await statusAt(at, ownSig.digest), 404);
  assert.equal(await statusAt(at, sharedSig.digest), 200, 'v1 still holds the shared child: its signature stays');
  assert.deepEqual(await skopeoListTags(`${target.registry.host}/${at}`, target.registry), ['v1']);
});
