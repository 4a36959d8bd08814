import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobPath, manifestPath, tagsPath, uploadsPath } from './repository-context.js';

const HEX64 = 'a'.repeat(64);

test('registry paths are built from grammatical parts only', () => {
  assert.equal(manifestPath('mirror/app', 'v1.2'), '/v2/mirror/app/manifests/v1.2');
  assert.equal(manifestPath('mirror/app', `sha256:${HEX64}`), `/v2/mirror/app/manifests/sha256:${HEX64}`);
  assert.equal(blobPath('app', `sha512:${'b'.repeat(128)}`), `/v2/app/blobs/sha512:${'b'.repeat(128)}`);
  assert.equal(
    uploadsPath('app', { digest: `sha256:${HEX64}`, from: 'other/app' }),
    `/v2/app/blobs/uploads/?mount=sha256%3A${HEX64}&from=other%2Fapp`,
  );
  assert.equal(tagsPath('a/b'), '/v2/a/b/tags/list');
});

test('a part that could move the path elsewhere is refused at the point the URL is built', () => {
  const refused: Array<() => string> = [
    () => manifestPath('mirror/bad', 'sha512:aa/../../../../../victim/app/manifests/prod'),
    () => manifestPath('mirror/bad', '../prod'),
    () => manifestPath('mirror/bad', 'v1?x=1'),
    () => manifestPath('../victim', 'v1'),
    () => manifestPath('mirror//app', 'v1'),
    () => blobPath('app', `sha256:${HEX64}/../../x`),
    () => blobPath('app', 'v1'),
    () => uploadsPath('app/..'),
    () => uploadsPath('app', { digest: `sha256:${HEX64}`, from: '../x' }),
    () => tagsPath('App'),
  ];
  for (const build of refused) {
    assert.throws(build, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INVALID_REFERENCE');
      assert.match(error.message, /refusing to build a registry URL/);
      return true;
    });
  }
});
