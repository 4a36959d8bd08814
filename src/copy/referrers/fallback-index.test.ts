import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDigests, mergeFallbackIndex } from './fallback-index.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (c: string, artifactType = 'application/vnd.example+type') => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: d(c),
  size: 100,
  artifactType,
});
const parse = (bytes: Buffer | undefined) =>
  JSON.parse(String(bytes)) as { mediaType: string; manifests: unknown[]; annotations?: unknown };

test('no index yet: a new OCI index of the entries, in order', () => {
  const bytes = mergeFallbackIndex(undefined, [entry('a'), entry('b')]);
  const doc = parse(bytes);
  assert.equal(doc.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(doc.manifests, [entry('a'), entry('b')]);
});

test('an index holding other descriptors keeps them (and its own fields) and gains only what it lacks, once', () => {
  const existing = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [entry('c', 'other/thing'), entry('a')],
      annotations: { keep: 'me' },
    }),
  );
  const doc = parse(mergeFallbackIndex(existing, [entry('a'), entry('b'), entry('b')]));
  assert.deepEqual(doc.manifests, [entry('c', 'other/thing'), entry('a'), entry('b')]);
  assert.deepEqual(doc.annotations, { keep: 'me' });
});

test('nothing missing: undefined, so nothing is written', () => {
  const existing = mergeFallbackIndex(undefined, [entry('a'), entry('b')]);
  assert.equal(mergeFallbackIndex(existing, [entry('b'), entry('a')]), undefined);
});

test('indexDigests lists the digests an index holds', () => {
  assert.deepEqual([...indexDigests(mergeFallbackIndex(undefined, [entry('a'), entry('b')]) ?? Buffer.alloc(0))], [d('a'), d('b')]);
});
