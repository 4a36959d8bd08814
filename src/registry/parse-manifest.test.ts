import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest, referencedBlobs } from './parse-manifest.js';
import { parsePlatform, platformMatches } from './platform.js';
import { MediaType } from './media-types.js';

const d = (n: number, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip') => ({
  mediaType,
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: n,
});

test('an OCI image lists its config and layers; duplicates and foreign layers are not blobs to copy', () => {
  const body = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: d(1, 'application/vnd.oci.image.config.v1+json'),
    layers: [d(2), d(2), { ...d(3, 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'), urls: ['https://x'] }],
  };
  const parsed = parseManifest(Buffer.from(JSON.stringify(body)), undefined);
  assert.equal(parsed.kind, 'image');
  assert.deepEqual(
    referencedBlobs(parsed).map((b) => b.size),
    [1, 2],
  );
});

test('media type falls back to Content-Type when the body has none', () => {
  const body = {
    schemaVersion: 2,
    manifests: [{ ...d(4, MediaType.ociManifest), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }],
  };
  const parsed = parseManifest(Buffer.from(JSON.stringify(body)), `${MediaType.ociIndex}; charset=utf-8`);
  assert.equal(parsed.kind, 'index');
  assert.equal(parsed.mediaType, MediaType.ociIndex);
});

test('schema 1, junk and unknown types are refused with a reason', () => {
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'), undefined), /schema 1/);
  assert.throws(() => parseManifest(Buffer.from('nope'), undefined), /not valid JSON/);
  assert.throws(() => parseManifest(Buffer.from('{"mediaType":"text/plain"}'), undefined), /unsupported manifest media type "text\/plain"/);
});

test('platforms: parse, and a missing variant matches any variant', () => {
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.throws(() => parsePlatform('linux'), /expected os\/arch/);
  assert.equal(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' }), true);
  assert.equal(platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' }), false);
  assert.equal(platformMatches(parsePlatform('linux/amd64'), undefined), false);
});

test('a descriptor whose digest is not a digest is refused before anything can use it as a path', () => {
  const hostile = `sha512:aa/../../../../../victim/app/manifests/prod`;
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [d(1, MediaType.ociManifest), { ...d(2, MediaType.ociManifest), digest: hostile }],
  };
  assert.throws(
    () => parseManifest(Buffer.from(JSON.stringify(index)), undefined),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'DIGEST_INVALID');
      assert.match(error.message, /^manifests\[1\]: digest "sha512:aa\/\.\.\/.*" is not valid/);
      return true;
    },
  );
  const image = (layer: object) =>
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: d(1), layers: [layer] }));
  assert.throws(
    () => parseManifest(image({ ...d(2), digest: 'sha256:../x' }), undefined),
    /layers\[0\]: digest "sha256:\.\.\/x" is not valid/,
  );
  assert.throws(() => parseManifest(image({ ...d(2), digest: 42 }), undefined), /layers\[0\]: digest 42 is not valid \(is not a string\)/);
  assert.throws(() => parseManifest(image({ ...d(2), size: -1 }), undefined), /layers\[0\]: size -1 is not a non-negative integer/);
  assert.throws(() => parseManifest(image({ ...d(2), size: 1.5 }), undefined), /size 1.5/);
  assert.throws(() => parseManifest(image({ ...d(2), urls: 'x' }), undefined), /urls is not a list/);
  assert.throws(() => parseManifest(image({ ...d(2), platform: { os: 1 } }), undefined), /platform is not a valid platform/);
});
