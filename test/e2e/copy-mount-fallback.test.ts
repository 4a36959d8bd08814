import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { dockerImage } from './fixtures.js';

/*
 * A copy within one registry mounts blobs across repositories. A registry that refuses the mount
 * with anything but 201/202 (mounts disabled, no pull right on the other repository, a fault) must
 * not fail the image: the blob is streamed instead, and the event says so.
 */

let registry: TestRegistry;
let proxy: FaultProxy;
let built: BuiltImage;

before(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
  built = await pushImage(dockerImage, registry, 'mount/src:v1');
});

after(async () => {
  const started = startedSoFar({ proxy, registry });
  await started.proxy?.close();
  await started.registry?.stop();
});

for (const [status, registryCode] of [
  [404, 'NAME_UNKNOWN'],
  [403, 'DENIED'],
  [500, 'UNKNOWN'],
] as const) {
  test(`a mount answered ${status} falls back to streaming the blob`, async () => {
    proxy.addFault({
      method: 'POST',
      pathPattern: /mount=/,
      times: 1000,
      action: { kind: 'status', status, body: JSON.stringify({ errors: [{ code: registryCode, message: `refused with ${status}` }] }) },
    });
    proxy.clearRequests();
    const engine = new CopyEngine();
    const events: CopyEvent[] = [];
    try {
      const result = await engine.copy(
        {
          source: `${proxy.host}/mount/src:v1`,
          target: `${proxy.host}/mount/dst${status}:v1`,
          // The 500 is retried by the transport first: keep that short.
          targetEndpoint: { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
          sourceEndpoint: { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
        },
        { onEvent: (e) => events.push(e) },
      );
      assert.equal(result.digest, built.digest);
      assert.equal(result.blobsMounted, 0);
      assert.equal(result.blobsCopied, built.blobs.length, 'every blob was streamed instead');
      const failed = events.filter((e) => e.type === 'blob-mount-failed');
      assert.equal(failed.length, built.blobs.length);
      for (const e of failed) {
        assert.ok(e.from === 'mount/src', JSON.stringify(e));
        assert.match(e.reason, new RegExp(`refused with ${status}`));
      }
      assert.ok(proxy.count('POST', /mount=/) >= built.blobs.length, 'the mounts were tried');
    } finally {
      await engine.close();
      proxy.clearFaults();
    }
    assert.equal((await skopeoInspectRaw(`${registry.host}/mount/dst${status}:v1`, registry)).digest, built.digest);
  });
}
