import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContentError } from '../errors/index.js';
import { parseManifest, parsePlatform, sha256Digest, type FetchedManifest } from '../registry/index.js';
import { checkImagePlatform, selectPlatforms } from './platform-selection.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const child = (n: number, platform: Record<string, string>) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).repeat(64)}`,
  size: 100,
  platform,
});
const children = [
  child(1, { os: 'linux', architecture: 'amd64' }),
  child(2, { os: 'linux', architecture: 'arm', variant: 'v6' }),
  child(3, { os: 'linux', architecture: 'arm', variant: 'v7' }),
  child(4, { os: 'windows', architecture: 'amd64' }),
];
const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: children }));
const index = { bytes, digest: sha256Digest(bytes), mediaType: INDEX, parsed: parseManifest(bytes, INDEX) } as FetchedManifest & {
  parsed: { kind: 'index' };
};
const select = (wanted: string[], missing?: 'fail' | 'skip') => selectPlatforms(index, wanted.map(parsePlatform), 'src/app:v1', missing);
const digests = (selection: ReturnType<typeof select>) =>
  selection.kind === 'child' ? [selection.descriptor.digest] : selection.kind === 'subset' ? selection.children.map((d) => d.digest) : [];

test('fail (the default): every platform asked for must be there; an exact one takes its first match, a * one every match', () => {
  assert.deepEqual(digests(select(['linux/arm'])), [children[1]?.digest], 'first arm variant only');
  assert.deepEqual(
    digests(select(['linux/*'])),
    [1, 2, 3].map((i) => children[i - 1]?.digest),
    'every Linux image, in index order',
  );
  assert.deepEqual(digests(select(['*/amd64'])), [children[0]?.digest, children[3]?.digest]);
  assert.throws(
    () => select(['linux/amd64', 'linux/s390x']),
    (error: unknown) => {
      assert.ok(error instanceof ContentError);
      assert.equal(error.code, 'PLATFORM_NOT_FOUND');
      return true;
    },
  );
  assert.throws(() => select(['darwin/*']), /has no darwin\/\* image/);
});

test('skip: every child some entry matches is kept; none: nothing selected, a note naming what the index has', () => {
  assert.deepEqual(digests(select(['linux/arm', 'linux/s390x'], 'skip')), [children[1]?.digest, children[2]?.digest]);
  assert.deepEqual(select(['*/s390x', 'darwin/arm64'], 'skip'), {
    kind: 'none',
    note: 'no image for */s390x, darwin/arm64 (the index has linux/amd64, linux/arm/v6, linux/arm/v7, windows/amd64)',
  });
  assert.deepEqual(select(['*/*'], 'skip'), { kind: 'whole' }, 'all of them: the index as it is');
});

test('a single-platform image: fail throws unless it is every platform asked for; skip returns why it is left out', () => {
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'arm64', variant: 'v8' }));
  const wanted = (list: string[]) => list.map(parsePlatform);
  assert.equal(checkImagePlatform(config, wanted(['linux/arm64']), 'src/app:v1'), undefined);
  assert.throws(() => checkImagePlatform(config, wanted(['linux/arm64', 'linux/amd64']), 'src/app:v1'), /has no linux\/amd64 image/);
  assert.equal(checkImagePlatform(config, wanted(['linux/amd64', '*/arm64']), 'src/app:v1', 'skip'), undefined);
  assert.equal(
    checkImagePlatform(config, wanted(['windows/*']), 'src/app:v1', 'skip'),
    'not windows/*: it is a single-platform linux/arm64/v8 image',
  );
  assert.throws(() => parsePlatform('linux/amd64/*'), /invalid platform/, 'a variant is never *');
});
