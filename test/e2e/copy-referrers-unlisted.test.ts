import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent, type CopyTask } from '../../src/copy/index.js';
import { pushArtifact, pushCosignTag, pushImage, pushReferrersTag, skopeoInspectRaw, skopeoListTags, subjectOf } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/*
 * Referrers are on by default, so a source that will not list what describes an image (its tags,
 * its fallback tag, a referrer's manifest) must never fail the image: between two real registries,
 * the source's proxy refuses one listing or one read, and the image is copied and counts as copied,
 * with a typed warning naming the registry, the repository and what could not be listed or copied.
 */

const pair = useProxiedPair();

type NotListed = Extract<CopyEvent, { type: 'referrers-not-listed' }>;
type Failed = Extract<CopyEvent, { type: 'referrer-failed' }>;
const tagOf = (digest: string) => digest.replace(':', '-');
const UNSUPPORTED = JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] });
const DENIED = JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] });

async function copy(task: CopyTask) {
  const events: CopyEvent[] = [];
  const engine = new CopyEngine();
  try {
    const result = await engine.copy(task, { onEvent: (e) => events.push(e) });
    return { result, events };
  } finally {
    await engine.close();
  }
}

/** An image at the source with a referrer in the fallback tag (two, with `sbom`) and a cosign `.sig` tag. */
async function signedImage(repo: string, sbom = false) {
  await pushImage(ociImage, pair.source, `${repo}:v1`);
  const subject = await subjectOf(pair.source, repo, 'v1');
  const sig = await pushArtifact(pair.source, repo, subject, {
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    seed: 'sig',
  });
  const more = sbom ? [await pushArtifact(pair.source, repo, subject, { artifactType: 'application/spdx+json', seed: 'sbom' })] : [];
  await pushReferrersTag(pair.source, repo, subject.digest, [sig, ...more]);
  const cosign = await pushCosignTag(pair.source, repo, subject.digest, 'sig', 'cosign');
  const task = {
    source: `${pair.sourceProxy.host}/${repo}:v1`,
    target: `${pair.targetProxy.host}/${repo}:v1`,
    sourceEndpoint: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } },
  };
  return { subject, sig, sbom: more[0], cosign, task };
}

const notListed = (events: CopyEvent[]) => events.filter((e): e is NotListed => e.type === 'referrers-not-listed');

test('tags/list answered 404 UNSUPPORTED: the image is copied, its referrers too, and one warning says the tags of that repository could not be listed', async () => {
  const repo = 'unlisted/tags';
  const { subject, sig, cosign, task } = await signedImage(repo);
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`^/v2/${repo}/tags/list`),
    times: 100,
    action: { kind: 'status', status: 404, headers: { 'content-type': 'application/json' }, body: UNSUPPORTED },
  });
  try {
    const { result, events } = await copy(task);
    assert.equal(result.status, 'copied');
    assert.equal(result.digest, subject.digest);
    assert.deepEqual(result.referrers, { copied: 1, present: 0, failed: 0 }, 'the fallback tag still brought the signature');
    const warnings = notListed(events);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    const [warning] = warnings;
    assert.ok(warning);
    assert.equal(warning.listing, 'tags');
    assert.equal(warning.place, pair.sourceProxy.host);
    assert.equal(warning.repository, repo);
    assert.equal(warning.subject, subject.digest);
    assert.match(warning.error.message, /404 Not Found: UNSUPPORTED/);
    assert.ok(events.some((e) => e.type === 'image-done'));
    assert.ok(!events.some((e) => e.type === 'image-failed'));
    const tags = await skopeoListTags(`${pair.target.host}/${repo}`, pair.target);
    assert.deepEqual(tags.sort(), [tagOf(subject.digest), 'v1'].sort(), `no ${cosign.tag}: it could not be found`);
    assert.equal((await skopeoInspectRaw(`${pair.target.host}/${repo}@${sig.digest}`, pair.target)).digest, sig.digest);
  } finally {
    pair.sourceProxy.clearFaults();
  }
});

test('the fallback tag refused (403 DENIED) and tags/list reset on every try: both warnings, the image copied all the same', async () => {
  const repo = 'unlisted/denied';
  const { subject, task } = await signedImage(repo);
  pair.sourceProxy.addFault({
    method: 'HEAD',
    pathPattern: new RegExp(`^/v2/${repo}/manifests/${tagOf(subject.digest)}$`),
    times: 100,
    action: { kind: 'status', status: 403, headers: { 'content-type': 'application/json' }, body: DENIED },
  });
  pair.sourceProxy.addFault({ method: 'GET', pathPattern: new RegExp(`^/v2/${repo}/tags/list`), times: 100, action: { kind: 'reset' } });
  try {
    const { result, events } = await copy(task);
    assert.equal(result.status, 'copied');
    assert.deepEqual(result.referrers, { copied: 0, present: 0, failed: 0 });
    const warnings = notListed(events);
    assert.deepEqual(warnings.map((w) => [w.listing, w.place, w.repository, w.error.code]).sort(), [
      ['referrers-tag', pair.sourceProxy.host, repo, 'DENIED'],
      ['tags', pair.sourceProxy.host, repo, 'NETWORK'],
    ]);
    assert.equal(
      pair.sourceProxy.count('GET', new RegExp(`^/v2/${repo}/tags/list`)),
      2,
      'the tags listing was retried as any request, then given up',
    );
    assert.deepEqual(await skopeoListTags(`${pair.target.host}/${repo}`, pair.target), ['v1']);
  } finally {
    pair.sourceProxy.clearFaults();
  }
});

test('a referrer that was found but cannot be read is a warning naming it: the others and the image are copied, the target index lists only what it holds', async () => {
  const repo = 'unlisted/broken-referrer';
  const { subject, sig, sbom, cosign, task } = await signedImage(repo, true);
  assert.ok(sbom);
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`^/v2/${repo}/manifests/${sbom.digest}$`),
    times: 100,
    action: { kind: 'status', status: 500, body: 'broken' },
  });
  try {
    const { result, events } = await copy(task);
    assert.equal(result.status, 'copied');
    assert.deepEqual(result.referrers, { copied: 2, present: 0, failed: 1 });
    const failed = events.filter((e): e is Failed => e.type === 'referrer-failed');
    assert.deepEqual(
      failed.map((f) => [f.subject, f.digest]),
      [[subject.digest, sbom.digest]],
    );
    assert.match(failed[0]?.error.message ?? '', /500/);
    const index = JSON.parse(
      (await skopeoInspectRaw(`${pair.target.host}/${repo}:${tagOf(subject.digest)}`, pair.target)).raw.toString(),
    ) as {
      manifests: Array<{ digest: string }>;
    };
    assert.deepEqual(
      index.manifests.map((m) => m.digest),
      [sig.digest],
      'the target fallback index names no manifest it does not hold',
    );
    assert.equal((await skopeoInspectRaw(`${pair.target.host}/${repo}:${cosign.tag}`, pair.target)).digest, cosign.digest);
  } finally {
    pair.sourceProxy.clearFaults();
  }
});
