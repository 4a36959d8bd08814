import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ociImage } from './self-test-fixtures.js';
import {
  pushArtifact,
  pushImage,
  skopeoInspectRaw,
  startReferrersFront,
  startRegistry,
  startedSoFar,
  subjectOf,
  type ReferrersFront,
  type TestRegistry,
} from './index.js';

/*
 * The referrers front against the distribution spec 1.1 rules it stands in for ("Listing
 * Referrers", "Pushing Manifests with Subject"), checked with plain HTTP, not with our client;
 * and the facts of the real registry behind it that make it needed.
 */

const INDEX = 'application/vnd.oci.image.index.v1+json';
let registry: TestRegistry;
let front: ReferrersFront;
before(async () => {
  registry = await startRegistry();
  front = await startReferrersFront(registry);
});
after(async () => {
  const started = startedSoFar({ front, registry });
  await started.front?.close();
  await started.registry?.stop();
});

describe('distribution 2.8 itself', () => {
  test('has no referrers API (404) and answers a PUT with a subject without OCI-Subject', async () => {
    await pushImage(ociImage, registry, 'facts/app:v1');
    const subject = await subjectOf(registry, 'facts/app', 'v1');
    const listing = await fetch(`${registry.url}/v2/facts/app/referrers/${subject.digest}`, { headers: { accept: INDEX } });
    assert.equal(listing.status, 404);
    await listing.arrayBuffer();
    const artifact = await pushArtifact(registry, 'facts/app', subject, { artifactType: 'application/example', seed: 'facts' });
    const put = await fetch(`${registry.url}/v2/facts/app/manifests/${artifact.digest}`, {
      method: 'PUT',
      headers: { 'content-type': artifact.mediaType },
      body: artifact.bytes,
    });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('oci-subject'), null);
  });
});

describe('referrers front', () => {
  test('a PUT with subject answers OCI-Subject; the listing is an OCI index of the descriptors, paged by Link, filtered with OCI-Filters-Applied', async () => {
    await pushImage(ociImage, front, 'api/app:v1');
    const subject = await subjectOf(front, 'api/app', 'v1');
    const sig = await pushArtifact(front, 'api/app', subject, { artifactType: 'application/vnd.example.sig', seed: 's' });
    const sbom = await pushArtifact(front, 'api/app', subject, { artifactType: 'application/spdx+json', seed: 'b' });
    const put = await fetch(`${front.url}/v2/api/app/manifests/${sig.digest}`, {
      method: 'PUT',
      headers: { 'content-type': sig.mediaType },
      body: sig.bytes,
    });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('oci-subject'), subject.digest);
    // The artifacts really are in the registry behind it.
    assert.equal((await skopeoInspectRaw(`${registry.host}/api/app@${sbom.digest}`, registry)).digest, sbom.digest);

    const descriptor = (a: typeof sig) => ({
      mediaType: a.mediaType,
      digest: a.digest,
      size: a.size,
      artifactType: a.artifactType,
      annotations: a.annotations,
    });
    const whole = await fetch(`${front.url}/v2/api/app/referrers/${subject.digest}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), INDEX);
    assert.equal(whole.headers.get('link'), null);
    assert.deepEqual(await whole.json(), { schemaVersion: 2, mediaType: INDEX, manifests: [descriptor(sig), descriptor(sbom)] });

    front.pageSize = 1;
    const first = await fetch(`${front.url}/v2/api/app/referrers/${subject.digest}`);
    const link = first.headers.get('link') ?? '';
    assert.match(link, /^<\/v2\/api\/app\/referrers\/sha256:[0-9a-f]{64}\?page=1>; rel="next"$/);
    assert.deepEqual(((await first.json()) as { manifests: unknown[] }).manifests, [descriptor(sig)]);
    const second = await fetch(new URL(/<([^>]+)>/.exec(link)?.[1] ?? '', front.url));
    assert.equal(second.headers.get('link'), null);
    assert.deepEqual(((await second.json()) as { manifests: unknown[] }).manifests, [descriptor(sbom)]);
    front.pageSize = 100;

    const filtered = await fetch(
      `${front.url}/v2/api/app/referrers/${subject.digest}?artifactType=${encodeURIComponent('application/spdx+json')}`,
    );
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, [descriptor(sbom)]);
  });

  test('a digest with no referrers lists an empty index (200, never 404); a malformed digest is 400', async () => {
    const none = await fetch(`${front.url}/v2/api/app/referrers/sha256:${'0'.repeat(64)}`);
    assert.equal(none.status, 200);
    assert.deepEqual(await none.json(), { schemaVersion: 2, mediaType: INDEX, manifests: [] });
    const bad = await fetch(`${front.url}/v2/api/app/referrers/not-a-digest`);
    assert.equal(bad.status, 400);
    await bad.arrayBuffer();
  });
});

describe('tagDeletes', () => {
  test('a DELETE by tag removes that tag alone (202), the image and its other tags stay; distribution 2.8 itself answers it 400', async () => {
    await pushImage(ociImage, registry, 'untag/app:a');
    await pushImage(ociImage, registry, 'untag/app:b');
    const subject = await subjectOf(registry, 'untag/app', 'a');
    assert.equal((await fetch(`${registry.url}/v2/untag/app/manifests/a`, { method: 'DELETE' })).status, 400);
    const deleting = await startReferrersFront(registry, { tagDeletes: registry.rootDir });
    try {
      assert.equal((await fetch(`${deleting.url}/v2/untag/app/manifests/a`, { method: 'DELETE' })).status, 202);
      const list = (await (await fetch(`${registry.url}/v2/untag/app/tags/list`)).json()) as { tags: string[] };
      assert.deepEqual(list.tags, ['b']);
      assert.equal((await subjectOf(registry, 'untag/app', 'b')).digest, subject.digest);
      const byDigest = await fetch(`${registry.url}/v2/untag/app/manifests/${subject.digest}`, {
        method: 'HEAD',
        headers: { accept: subject.mediaType },
      });
      assert.equal(byDigest.status, 200, 'the image stays');
      assert.equal((await fetch(`${deleting.url}/v2/untag/app/manifests/a`, { method: 'DELETE' })).status, 404, 'gone already');
    } finally {
      await deleting.close();
    }
  });
});
