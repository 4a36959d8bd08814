import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import {
  sha256,
  skopeoInspectRaw,
  skopeoListTags,
  startHostileRegistry,
  startRegistry,
  startedSoFar,
  type HostileRegistry,
  type TestRegistry,
} from '../harness/index.js';

/*
 * Referrers answers a real registry will not give, from the harness's hand-written source, copied
 * to a real target: a referrers route answered by something that is not the API (an HTML page, as
 * a proxy's error page), and a listing naming a digest that climbs out of the repository.
 */

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let fake: HostileRegistry;
let target: TestRegistry;

before(async () => {
  [fake, target] = await Promise.all([startHostileRegistry(), startRegistry()]);
});
after(async () => {
  const started = startedSoFar({ fake, target });
  await started.fake?.close();
  await started.target?.stop();
});

/** A small valid image manifest (an artifact with `extra: { subject }`) whose blobs the fake serves; returns its bytes. */
function manifest(repository: string, seed: string, extra: Record<string, unknown> = {}) {
  const configBytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed }));
  const layerBytes = Buffer.from(`layer of ${seed}`);
  const config = fake.blob(repository, configBytes);
  const layer = fake.blob(repository, layerBytes);
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: configBytes.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: layerBytes.length }],
      ...extra,
    }),
  );
  return bytes;
}

async function copy(repository: string, events: CopyEvent[] = [], tagList = JSON.stringify({ name: repository, tags: ['v1'] })) {
  fake.route(`/v2/${repository}/tags/list`, { headers: { 'content-type': 'application/json' }, body: tagList });
  const engine = new CopyEngine();
  try {
    return await engine.copy(
      {
        source: `${fake.host}/${repository}:v1`,
        target: `${target.host}/${repository}:v1`,
        sourceEndpoint: { retry: { maxAttempts: 1 } },
      },
      { onEvent: (e) => events.push(e) },
    );
  } finally {
    await engine.close();
  }
}

test('a referrers route answering an HTML page is no API: the fallback tag is read, and its referrer copied', async () => {
  const repo = 'odd/html';
  const image = manifest(repo, 'html-image');
  fake.manifest(repo, 'v1', image, OCI_MANIFEST);
  const subject = { mediaType: OCI_MANIFEST, digest: sha256(image), size: image.length };
  const sig = manifest(repo, 'html-sig', { artifactType: 'application/example.sig', subject });
  fake.manifest(repo, sha256(sig), sig, OCI_MANIFEST);
  fake.route(`/v2/${repo}/referrers/${subject.digest}`, {
    status: 200,
    headers: { 'content-type': 'text/html' },
    body: '<html>proxy says hello</html>',
  });
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: sha256(sig), size: sig.length, artifactType: 'application/example.sig' }],
    }),
  );
  fake.manifest(repo, subject.digest.replace(':', '-'), index, OCI_INDEX);

  // A registry lists every tag, the fallback tag too (a copy with the list looks for no tag it lacks).
  const result = await copy(repo, [], JSON.stringify({ name: repo, tags: ['v1', subject.digest.replace(':', '-')] }));
  assert.deepEqual(result.referrers, { copied: 1, present: 0, failed: 0 });
  assert.equal((await skopeoInspectRaw(`${target.host}/${repo}@${sha256(sig)}`, target)).digest, sha256(sig));
  assert.equal((await skopeoInspectRaw(`${target.host}/${repo}:${subject.digest.replace(':', '-')}`, target)).digest, sha256(index));
});

const notListed = (events: CopyEvent[]) =>
  events.filter((e): e is Extract<CopyEvent, { type: 'referrers-not-listed' }> => e.type === 'referrers-not-listed');

test('a listing naming a digest that climbs out of the repository is refused by name as a warning: the image itself is tagged, nothing else written', async () => {
  const repo = 'odd/climb';
  const image = manifest(repo, 'climb-image');
  fake.manifest(repo, 'v1', image, OCI_MANIFEST);
  const hostile = 'sha512:aa/../../../../victim/app/manifests/prod';
  fake.route(`/v2/${repo}/referrers/${sha256(image)}`, {
    status: 200,
    headers: { 'content-type': OCI_INDEX },
    body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: hostile, size: 10 }] }),
  });
  const events: CopyEvent[] = [];
  const result = await copy(repo, events);
  assert.equal(result.status, 'copied');
  assert.deepEqual(result.referrers, { copied: 0, present: 0, failed: 0 });
  const warnings = notListed(events);
  assert.deepEqual(
    warnings.map((w) => [w.listing, w.place, w.repository, w.error.code]),
    [['referrers', fake.host, repo, 'DIGEST_INVALID']],
  );
  assert.deepEqual(await skopeoListTags(`${target.host}/${repo}`, target), ['v1']);
  assert.deepEqual(await skopeoListTags(`${target.host}/victim/app`, target).catch(() => []), []);
});

test('a tag list that is not JSON is a warning that cosign tags could not be looked for; the image and its referrers are copied', async () => {
  const repo = 'odd/tags-html';
  const image = manifest(repo, 'tags-html-image');
  fake.manifest(repo, 'v1', image, OCI_MANIFEST);
  const subject = { mediaType: OCI_MANIFEST, digest: sha256(image), size: image.length };
  const sig = manifest(repo, 'tags-html-sig', { artifactType: 'application/example.sig', subject });
  fake.manifest(repo, sha256(sig), sig, OCI_MANIFEST);
  const descriptor = { mediaType: OCI_MANIFEST, digest: sha256(sig), size: sig.length, artifactType: 'application/example.sig' };
  fake.route(`/v2/${repo}/referrers/${subject.digest}`, {
    status: 200,
    headers: { 'content-type': OCI_INDEX },
    body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [descriptor] }),
  });
  const events: CopyEvent[] = [];
  const result = await copy(repo, events, '<html>not a tag list</html>');
  assert.equal(result.status, 'copied');
  assert.deepEqual(result.referrers, { copied: 1, present: 0, failed: 0 });
  assert.deepEqual(
    notListed(events).map((w) => [w.listing, w.place, w.repository, w.subject]),
    [['tags', fake.host, repo, subject.digest]],
  );
  assert.equal((await skopeoInspectRaw(`${target.host}/${repo}@${sha256(sig)}`, target)).digest, sha256(sig));
});
