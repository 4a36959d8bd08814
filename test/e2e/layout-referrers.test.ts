import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import {
  pushArtifact,
  pushCosignTag,
  pushImage,
  pushReferrersTag,
  skopeoListTags,
  startRegistry,
  startedSoFar,
  subjectOf,
  type TestRegistry,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';

/*
 * An OCI layout keeps no referrers: a signed image copied into one and back travels without its
 * signatures, the run does not fail, and an event says why, once per image.
 */

let source: TestRegistry;
let target: TestRegistry;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  scratch = await mkdtemp(join(tmpdir(), 'pb-layout-referrers-'));
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

const notFollowed = (events: CopyEvent[]) =>
  events.filter((e): e is Extract<CopyEvent, { type: 'referrers-not-applicable' }> => e.type === 'referrers-not-applicable');

test('a signed image goes registry -> oci: layout -> registry without its referrers, saying so; a dry run counts none', async (t) => {
  const repo = 'signed/app';
  const built = await pushImage(ociImage, source, `${repo}:v1`);
  const subject = await subjectOf(source, repo, 'v1');
  const sig = await pushArtifact(source, repo, subject, { artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', seed: 'sig' });
  await pushReferrersTag(source, repo, subject.digest, [sig]);
  await pushCosignTag(source, repo, subject.digest, 'sig', 'cosign');
  const layout = join(scratch, 'dir');
  const engine = new CopyEngine();
  t.after(() => engine.close());

  const into = { source: `${source.host}/${repo}:v1`, target: `oci:${layout}:${repo}:v1` };
  const planned = await engine.plan(into);
  assert.equal(planned.action, 'copy');
  assert.equal(planned.referrers, undefined, 'no referrers are counted for a layout target');

  const events: CopyEvent[] = [];
  const out = await engine.copy(into, { onEvent: (e) => events.push(e) });
  await engine.finish(`oci:${layout}`);
  assert.equal(out.status, 'copied');
  assert.equal(out.digest, built.digest);
  assert.deepEqual(out.referrers, { copied: 0, present: 0, failed: 0 });
  const said = notFollowed(events);
  assert.equal(said.length, 1);
  const [first] = said;
  assert.ok(first);
  assert.equal(first.count, 0);
  assert.match(first.reason, new RegExp(`oci:${layout}.* is an OCI layout, which keeps no referrers`));
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  assert.deepEqual(
    index.manifests.map((m) => m.digest),
    [built.digest],
    'index.json lists the image alone: no fallback tag, no cosign tag',
  );

  const backEvents: CopyEvent[] = [];
  const back = await engine.copy(
    { source: `oci:${layout}:${repo}:v1`, target: `${target.host}/${repo}:v1` },
    { onEvent: (e) => backEvents.push(e) },
  );
  assert.equal(back.status, 'copied');
  assert.equal(back.digest, built.digest);
  assert.deepEqual(back.referrers, { copied: 0, present: 0, failed: 0 });
  assert.equal(notFollowed(backEvents).length, 1);
  assert.deepEqual(
    await skopeoListTags(`${target.host}/${repo}`, target),
    ['v1'],
    'the registry target got the image and no referrer tags',
  );
});
