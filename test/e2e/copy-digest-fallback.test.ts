import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import { pushImage, skopeoInspectRaw, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/*
 * Some registries answer a manifest HEAD without `Docker-Content-Digest` (optional before the
 * distribution spec 1.1). The fault proxy drops the header from the real registry's answers.
 */

let built: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  built = await pushImage(ociImage, source, 'nodigest/app:v1');
});

const dropDigestOnHead = {
  method: 'HEAD',
  pathPattern: /\/manifests\//,
  times: 1000,
  action: { kind: 'drop-headers', names: ['docker-content-digest'] },
} as const;

async function copyOnce(
  sourceHost: string,
  targetHost: string,
  repo: string,
): Promise<{ status: string; digest: string; events: CopyEvent[] }> {
  const engine = new CopyEngine();
  const events: CopyEvent[] = [];
  try {
    const result = await engine.copy(
      { source: `${sourceHost}/nodigest/app:v1`, target: `${targetHost}/${repo}:v1` },
      { onEvent: (e) => events.push(e) },
    );
    return { status: result.status, digest: result.digest, events };
  } finally {
    await engine.close();
  }
}

test('a source HEAD without Docker-Content-Digest falls back to GET: the image is copied, and the fallback is reported', async () => {
  pair.sourceProxy.addFault(dropDigestOnHead);
  pair.sourceProxy.clearRequests();
  try {
    const { status, digest, events } = await copyOnce(pair.sourceProxy.host, pair.target.host, 'nodigest/copied');
    assert.equal(status, 'copied');
    assert.equal(digest, built.digest);
    const fallbacks = events.filter((e) => e.type === 'digest-fallback');
    assert.deepEqual(
      fallbacks.map((e) => [e.reference, e.target]),
      [[`${pair.sourceProxy.host}/nodigest/app:v1`, `${pair.target.host}/nodigest/copied:v1`]],
    );
    assert.equal(pair.sourceProxy.count('GET', /\/manifests\//), 1, 'the manifest the fallback read is not read again');
  } finally {
    pair.sourceProxy.clearFaults();
  }
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/nodigest/copied:v1`, pair.target)).digest, built.digest);
});

test('a target HEAD without Docker-Content-Digest still lets the no-change check see an image is up to date', async () => {
  await copyOnce(pair.source.host, pair.target.host, 'nodigest/current');
  pair.targetProxy.addFault(dropDigestOnHead);
  pair.targetProxy.clearRequests();
  try {
    const { status, events } = await copyOnce(pair.source.host, pair.targetProxy.host, 'nodigest/current');
    assert.equal(status, 'skipped');
    assert.equal(events.filter((e) => e.type === 'digest-fallback').length, 1);
    assert.equal(pair.targetProxy.requests.filter((r) => r.method === 'PUT' || r.method === 'POST').length, 0, 'nothing written');
  } finally {
    pair.targetProxy.clearFaults();
  }
});
