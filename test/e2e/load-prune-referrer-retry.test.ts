import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqliteRunStore } from '../../src/store/index.js';
import { pushArtifact, pushRawImage, skopeo, skopeoListTags, subjectOf } from '../harness/index.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';
import { useReferrersApiSides } from './referrers-api-kit.js';
import { writeConfig } from './sync-kit.js';

/*
 * A referrer whose DELETE fails after its image's tag was deleted: the run says so (the referrer,
 * its image, the registry, the registry's answer) and keeps its record, so the next run, finding
 * the tag gone, deletes the referrer instead of forgetting it. Real registries (deletes enabled)
 * behind the referrers front (the signature travels by the referrers API: no tag leads to it); the
 * target's fault proxy answers 500 to that one DELETE during the second run.
 */

const { source, target } = useReferrersApiSides();
let dir: string;
before(async () => {
  dir = await tempDir('pb-prune-referrer-retry-');
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const load = (file: string) => runCli(['load', '--config', file, '--all', '--log-format', 'json']);
const pruneEvents = (stdout: string) => jsonLines(stdout).filter((e) => e.type === 'prune');
/** What the target registry itself answers for a manifest. */
const statusAt = async (repository: string, digest: string): Promise<number> =>
  (
    await fetch(`${target.registry.url}/v2/${repository}/manifests/${digest}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    })
  ).status;

test('a referrer whose DELETE failed after its tag went is reported, kept on record, and deleted by the next run', async () => {
  const repo = 'rr/app';
  await pushRawImage(source.front, `${repo}:v1`, { seed: 'prune-retry v1' });
  await pushRawImage(source.front, `${repo}:v2`, { seed: 'prune-retry v2' });
  const proxy = target.proxy;
  const sig2 = await pushArtifact(source.front, repo, await subjectOf(source.front, repo, 'v2'), { artifactType: SIG, seed: 'sig of v2' });
  const work = join(dir, 'retry');
  await mkdir(work, { recursive: true });
  const state = join(work, 'state.db');
  const mirrors = [{ source: `${source.front.host}/${repo}`, prune: { maxFraction: 1 } }];
  const file = await writeConfig(work, { registries: [{ hostname: proxy.host, repository: 'pr', mirrors }], state: { path: state } });
  const first = await load(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const at = `pr/${repo}`;
  assert.equal(await statusAt(at, sig2.digest), 200, 'the signature was mirrored');
  await skopeo(['delete', ...source.registry.skopeoFlags('plain'), `docker://${source.registry.host}/${repo}:v2`], source.registry);

  // Every attempt of the signature's DELETE (the transport retries a 500) fails during this run.
  proxy.addFault({
    method: 'DELETE',
    pathPattern: new RegExp(`/manifests/${sig2.digest}$`),
    times: 1000,
    action: { kind: 'status', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"storage unavailable"}]}' },
  });
  const second = await load(file);
  proxy.clearFaults();
  const tag = `${proxy.host}/${at}:v2`;
  const referrer = `${proxy.host}/${at}@${sig2.digest}`;
  assert.notEqual(second.code, 0, 'a failed deletion fails the run');
  assert.deepEqual(
    pruneEvents(second.stdout).map((e) => [e.action, e.target, e.referrerOf]),
    [
      ['deleted', tag, undefined],
      ['failed', referrer, tag],
    ],
  );
  const failed = pruneEvents(second.stdout)[1];
  assert.match(
    String(failed?.reason),
    /: 500 Internal Server Error: UNKNOWN: storage unavailable$/,
    'the failure says what the registry answered',
  );
  const said = second.stdout + second.stderr;
  assert.ok(
    said.includes(`deleting ${referrer} (a referrer of ${tag}) at ${proxy.host} failed:`),
    `the run names the referrer, its image and the registry: ${said}`,
  );
  assert.equal(await statusAt(at, sig2.digest), 200, 'the signature is still there');
  assert.deepEqual(await skopeoListTags(`${target.registry.host}/${at}`, target.registry), ['v1'], 'the tag went');

  const third = await load(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.deepEqual(
    pruneEvents(third.stdout).map((e) => [e.action, e.target, e.referrerOf]),
    [
      ['released', tag, undefined],
      ['deleted', referrer, tag],
    ],
  );
  assert.equal(await statusAt(at, sig2.digest), 404, 'the next run deleted the signature');

  const fourth = await load(file);
  assert.equal(fourth.code, 0, fourth.stdout + fourth.stderr);
  assert.deepEqual(pruneEvents(fourth.stdout), [], 'nothing left to prune or to retry');
  const store = SqliteRunStore.open(state);
  try {
    assert.deepEqual(
      (await store.ownership.ownedReferrers(`${proxy.host}/${at}`)).filter((r) => r.target === tag),
      [],
      'no record of v2 left',
    );
    const pruned = await store.ownership.prunedTags({ limit: 10 });
    assert.deepEqual(
      pruned.map((p) => p.target),
      [referrer, tag],
      'the tag recorded as pruned by the second run, its referrer by the third',
    );
  } finally {
    await store.close();
  }
});
