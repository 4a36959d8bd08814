import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pushImage, type BuiltImage, type ImageSpec } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { layerOf, startQueuedSync, startWorker, useQueueRig } from './queue-kit.js';
import { digestAt, until, writeConfig } from './sync-kit.js';

/*
 * Two `picture-book worker` processes copying images of different repositories that share one
 * large layer into one target registry: the layer crosses the network once. The worker that
 * uploads it claims it in Redis; the other waits, then mounts it from where it landed, and a
 * later image mounts it from the sighting the first recorded. Counted at the target's proxy.
 */

const NAMES = ['ant', 'bee', 'cat'];
const sharingImage = (name: string): ImageSpec => ({
  kind: 'image',
  format: 'oci',
  layers: [
    { seed: 'queue-shared-layer', size: 2 * 1024 * 1024 },
    { seed: `queue-own-${name}`, size: 8 * 1024 },
  ],
  platform: { os: 'linux', architecture: 'amd64' },
});

const built = new Map<string, BuiltImage>();
const rig = useQueueRig('queue-blob-uploads', async ({ source }) => {
  for (const name of NAMES) built.set(name, await pushImage(sharingImage(name), source, `share/${name}:v1`));
});

test('two workers, three images sharing a layer, two of them copied at once: the layer is uploaded once to the target, mounted for the others', async () => {
  const { redis, sourceProxy, targetProxy, target, source, dir, processes } = rig;
  const first = built.get('ant');
  assert.ok(first);
  const shared = layerOf(first);
  for (const image of built.values())
    assert.ok(
      image.blobs.some((b) => b.digest === shared),
      'every image has the shared layer',
    );
  const registry = {
    hostname: targetProxy.host,
    repository: 'mirror',
    images: NAMES.map((name) => `${sourceProxy.host}/share/${name}:v1`),
  };
  // A held upload must not lapse its job lock on a loaded machine.
  const workerConfig = await writeConfig(await makeTempDir('queue-blob-uploads-worker'), {
    registries: [registry],
    queue: { stalledSeconds: 60 },
  });
  // The shared layer's reads are held until both workers are past their HEAD of it at the target:
  // two copies of it are then under way at once, each knowing nothing of the other's.
  sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${shared}$`),
    times: 100,
    action: { kind: 'stall', afterBytes: 1024 },
  });
  for (let i = 0; i < 2; i++) processes.push(await startWorker(workerConfig, { cwd: dir, queue: redis.url, concurrency: 1 }));
  const server = await startQueuedSync(rig, registry);

  const layerHeads = (): Set<string> =>
    new Set(targetProxy.requests.filter((r) => r.method === 'HEAD' && r.path.endsWith(`/blobs/${shared}`)).map((r) => r.path));
  await until(() => layerHeads().size >= 2 && sourceProxy.stalled.length >= 1, 'both workers to look for the layer at the target', 60_000);
  sourceProxy.clearFaults();
  sourceProxy.release();
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 120_000);
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', NAMES.length, 0]);

  const writes = (method: string, param: string): string[] =>
    targetProxy.requests
      .filter((r) => r.method === method && r.status === 201 && decodeURIComponent(r.path).includes(`${param}=${shared}`))
      .map((r) => r.path.split('/blobs/')[0] ?? '');
  assert.equal(writes('PUT', 'digest').length, 1, 'the shared layer is uploaded once to the target');
  assert.equal(writes('POST', 'mount').length, NAMES.length - 1, 'and mounted into the other repositories');
  for (const name of NAMES) {
    const want = await digestAt(source, `share/${name}:v1`);
    assert.ok(want);
    assert.equal(await digestAt(target, `mirror/share/${name}:v1`), want, `${name} at the target (skopeo)`);
  }
});
