import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startHostileRegistry,
  startRegistry,
  type FaultProxy,
  type HostileRegistry,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { dockerImage } from './fixtures.js';

/*
 * A hostile source (a hand-written registry serving crafted content) copied to a real target. What
 * is checked is what lands on the real registry: nothing outside the target repository, nothing
 * unverified.
 */

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let fake: HostileRegistry;
let target: TestRegistry;
let targetProxy: FaultProxy;
let victimDigest: string;

/** A small, valid image on the fake: its config and layer are served, its manifest is returned. */
function payloadImage(repository: string, seed: string): Buffer {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed }));
  const layer = Buffer.from(`layer of ${seed}`);
  const configDigest = fake.blob(repository, config);
  const layerDigest = fake.blob(repository, layer);
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    }),
  );
}

before(async () => {
  [fake, target] = await Promise.all([startHostileRegistry(), startRegistry()]);
  targetProxy = await startFaultProxy(target);
  victimDigest = (await pushImage(dockerImage, target, 'victim/app:prod')).digest;
});

after(async () => {
  const started = startedSoFar({ fake, targetProxy, target });
  await Promise.all([started.fake?.close(), started.targetProxy?.close()]);
  await started.target?.stop();
});

async function copyFromFake(source: string, targetRepo: string): Promise<unknown> {
  const engine = new CopyEngine();
  try {
    return await engine
      .copy({
        source: `${fake.host}/${source}`,
        target: `${targetProxy.host}/${targetRepo}`,
        sourceEndpoint: { retry: { maxAttempts: 1 } },
      })
      .then(
        () => new Error('the copy succeeded'),
        (error: unknown) => error,
      );
  } finally {
    await engine.close();
  }
}

const writes = () => targetProxy.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

test('an index child whose digest climbs out of the repository fails the copy; the other repository of the target is untouched', async () => {
  // Resolved with `new URL`, this digest made `PUT /v2/victim/app/manifests/prod` at the target.
  const hostile = 'sha512:aa/../../../../victim/app/manifests/prod';
  const payload = payloadImage('evil/app', 'hostile-payload');
  fake.manifest('victim/app', 'prod', payload, OCI_MANIFEST);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: hostile, size: payload.length, platform: { os: 'linux', architecture: 'amd64' } }],
    }),
  );
  fake.manifest('evil/app', 'v1', index, OCI_INDEX);
  targetProxy.clearRequests();

  const error = (await copyFromFake('evil/app:v1', 'mirror/bad:v1')) as Error & { code?: string };
  assert.equal(error.code, 'DIGEST_INVALID', String(error));
  assert.match(error.message, /manifests\[0\]: digest "sha512:aa\/\.\.\/.*" is not valid/);

  assert.deepEqual(writes(), [], 'nothing was written to the target');
  assert.equal(
    targetProxy.requests.some((r) => r.path.includes('victim')),
    false,
    'the target never heard of victim/app',
  );
  assert.equal(
    (await skopeoInspectRaw(`${target.host}/victim/app:prod`, target)).digest,
    victimDigest,
    'victim/app:prod still points where it did',
  );
  await assert.rejects(skopeoInspectRaw(`${target.host}/mirror/bad:v1`, target), 'nothing was tagged');
});

test('a Docker-Content-Digest header that is not a digest is refused before it names anything to fetch', async () => {
  const payload = payloadImage('evil/header', 'header-payload');
  fake.manifest('evil/header', 'v1', payload, OCI_MANIFEST, {
    'docker-content-digest': `sha256:${'a'.repeat(64)}/../../../victim/app/manifests/prod`,
  });
  targetProxy.clearRequests();
  const error = (await copyFromFake('evil/header:v1', 'mirror/header:v1')) as Error & { code?: string };
  assert.equal(error.code, 'DIGEST_INVALID', String(error));
  assert.match(error.message, new RegExp(`${fake.host}/evil/header:v1: Docker-Content-Digest header: digest "sha256:a+/\\.\\./`));
  assert.deepEqual(writes(), []);
});

test('a manifest is verified with the algorithm of its digest: a sha512 child whose bytes differ is a DIGEST_MISMATCH', async () => {
  const payload = payloadImage('evil/sha512', 'sha512-payload');
  const claimed = `sha512:${createHash('sha512').update('other bytes').digest('hex')}`;
  fake.manifest('evil/sha512', claimed, payload, OCI_MANIFEST);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: claimed, size: payload.length }],
    }),
  );
  fake.manifest('evil/sha512', 'v1', index, OCI_INDEX);
  targetProxy.clearRequests();
  const error = (await copyFromFake('evil/sha512:v1', 'mirror/sha512:v1')) as Error & { code?: string };
  assert.equal(error.code, 'DIGEST_MISMATCH', String(error));
  assert.match(error.message, new RegExp(`manifest ${fake.host}/evil/sha512@${claimed}: received bytes hash to sha512:`));
  assert.deepEqual(writes(), []);
});

test('a child digest of an algorithm we cannot verify is refused with DIGEST_UNSUPPORTED', async () => {
  const payload = payloadImage('evil/sha384', 'sha384-payload');
  const claimed = `sha384:${createHash('sha384').update(payload).digest('hex')}`;
  fake.manifest('evil/sha384', claimed, payload, OCI_MANIFEST);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: claimed, size: payload.length }],
    }),
  );
  fake.manifest('evil/sha384', 'v1', index, OCI_INDEX);
  targetProxy.clearRequests();
  const error = (await copyFromFake('evil/sha384:v1', 'mirror/sha384:v1')) as Error & { code?: string };
  assert.equal(error.code, 'DIGEST_UNSUPPORTED', String(error));
  assert.match(error.message, /digest algorithm "sha384" is not supported \(sha256 and sha512 are\)/);
  assert.deepEqual(writes(), []);
});

test('a manifest over the size limit is refused as MANIFEST_INVALID, and the process goes on', async () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  fake.route(`/v2/evil/huge/manifests/${digest}`, (_req, res) => {
    res.writeHead(200, { 'content-type': OCI_MANIFEST });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const more = (): void => {
      while (sent < 100 && res.write(chunk)) sent++;
      if (sent >= 100) res.end();
      else res.once('drain', more);
    };
    res.on('close', () => res.removeAllListeners('drain'));
    more();
  });
  targetProxy.clearRequests();
  const error = (await copyFromFake(`evil/huge@${digest}`, 'mirror/huge:v1')) as Error & { code?: string };
  assert.equal(error.code, 'MANIFEST_INVALID', String(error));
  assert.match(error.message, /is larger than 4194304 bytes/);
  assert.deepEqual(writes(), []);
});
