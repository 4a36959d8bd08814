import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBlobSource } from '../../src/copy/blob-source.js';
import { RegistryClients } from '../../src/registry/index.js';
import { pushImage, startedSoFar, startRegistry, type BuiltImage, type ImageSpec, type TestRegistry } from '../harness/index.js';

/*
 * A blob read opened and then dropped before its first byte was read (a copy stopped at once,
 * e.g. another blob of its image failed for good) releases its response: otherwise the request
 * stays open with its body unread, and closing the connections waits for it for ever.
 */

const large: ImageSpec = {
  kind: 'image',
  format: 'oci',
  layers: [{ seed: 'blob-source-release', size: 16 * 1024 * 1024 }],
  platform: { os: 'linux', architecture: 'amd64' },
};

let registry: TestRegistry;
let built: BuiltImage;
before(async () => {
  registry = await startRegistry();
  built = await pushImage(large, registry, 'release/app:v1');
});
after(async () => {
  await startedSoFar({ registry }).registry?.stop();
});

// Without the release the close below never resolves: the test's timeout turns that hang into a failure.
test('a blob read dropped before its first read releases its response: the connections close', { timeout: 120_000 }, async () => {
  const layer = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  const clients = new RegistryClients();
  const repo = clients.repository(registry.host, 'release/app', 'pull');
  const blob = { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer };
  const stream = await openBlobSource(repo, blob, 0, () => undefined);
  stream.destroy();
  await clients.close();
  assert.equal(stream.destroyed, true);
});
