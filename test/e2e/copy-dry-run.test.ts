import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pushImage, skopeoInspectRaw, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { runCli } from './load-harness.js';
import { useProxiedPair } from './proxied-pair.js';

// `picture-book copy --dry-run SRC DST` for one image: HEADs only, nothing written, against the real registry.
let image: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  image = await pushImage(ociImage, source, 'team/app:v1');
});

test('copy --dry-run says "would copy" with the digest and writes nothing; after the copy it says "up to date"; only HEADs either way', async () => {
  const src = `${pair.sourceProxy.host}/team/app:v1`;
  const dst = `${pair.targetProxy.host}/dry/app`;
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const before = await runCli(['copy', '--dry-run', src, dst]);
  assert.equal(before.code, 0, before.stderr);
  assert.equal(before.stdout.trim(), `would copy ${src} -> ${dst}:v1 (${image.digest}; dry run, nothing written)`);
  const catalog = (await (await fetch(`${pair.target.url}/v2/_catalog`)).json()) as { repositories: string[] };
  assert.deepEqual(catalog.repositories, [], 'the dry run created no repository');

  const copied = await runCli(['copy', src, dst]);
  assert.equal(copied.code, 0, copied.stderr);
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/dry/app:v1`, pair.target)).digest, image.digest);

  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const after = await runCli(['copy', '--dry-run', src, dst]);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout.trim(), `up to date: ${dst}:v1 already has ${image.digest} (dry run)`);
  const methods = [...pair.sourceProxy.requests, ...pair.targetProxy.requests].map(
    (r) => `${r.method} ${r.path.replace(/\/v2\/.*\/manifests\//, 'manifest ')}`,
  );
  assert.deepEqual(
    methods.filter((m) => !m.startsWith('HEAD ') && m !== 'GET /v2/'),
    [],
    'HEADs only (and the ping)',
  );
  assert.equal(pair.sourceProxy.count('HEAD', /\/manifests\//) + pair.targetProxy.count('HEAD', /\/manifests\//), 2);
});
