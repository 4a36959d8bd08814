import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import { pushImage, skopeoInspectRaw } from '../harness/index.js';
import { baseLayer, dockerImage, ociImage, ociIndex } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

const pair = useProxiedPair();

async function withEngine<T>(
  fn: (engine: CopyEngine) => Promise<T>,
  options: ConstructorParameters<typeof CopyEngine>[0] = {},
): Promise<T> {
  const engine = new CopyEngine(options);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

// The no-change checks below are the image's own (HEADs only): signatures and attestations, which
// add listings, are off here and counted in copy-referrers-*.test.ts.
test('into an empty registry every blob is streamed; a re-copy moves nothing and issues no GET', async () => {
  const built = await pushImage(ociIndex, pair.source, 'inc/multi:v1');
  const src = `${pair.sourceProxy.host}/inc/multi:v1`;
  const dst = `${pair.targetProxy.host}/inc/multi:v1`;
  const first = await withEngine((engine) => engine.copy({ source: src, target: dst }));
  assert.equal(first.status, 'copied');
  assert.ok(first.blobsCopied > 0);
  assert.ok(first.bytes > 0);

  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const second = await withEngine(async (engine) => {
    const events: CopyEvent[] = [];
    const result = await engine.copy({ source: src, target: dst, referrers: false }, { onEvent: (e) => events.push(e) });
    assert.equal(events.filter((e) => e.type.startsWith('blob-')).length, 0, 'no blob event at all');
    assert.ok(events.some((e) => e.type === 'image-skipped'));
    return result;
  });
  assert.equal(second.status, 'skipped');
  assert.equal(second.digest, built.digest);
  assert.equal(second.bytes, 0);
  const all = [...pair.sourceProxy.requests, ...pair.targetProxy.requests].filter((r) => r.path !== '/v2/');
  assert.deepEqual([...new Set(all.map((r) => r.method))], ['HEAD'], `only HEADs, got ${JSON.stringify(all)}`);
  assert.equal(pair.sourceProxy.count('HEAD', /\/manifests\//), 1);
  assert.equal(pair.targetProxy.count('HEAD', /\/manifests\//), 1);
});

test('a no-change re-copy of many images reuses keep-alive connections (HEADs included)', async () => {
  const tags = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'];
  for (const tag of tags) await pushImage(dockerImage, pair.source, `keep/alive:${tag}`);
  const tasks = tags.map((tag) => ({
    source: `${pair.sourceProxy.host}/keep/alive:${tag}`,
    target: `${pair.targetProxy.host}/keep/alive:${tag}`,
    referrers: false,
  }));
  await withEngine((engine) => Promise.all(tasks.map((t) => engine.copy(t))));
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const results = await withEngine((engine) => Promise.all(tasks.map((t) => engine.copy(t))), { checkConcurrency: 1 });
  assert.deepEqual(
    results.map((r) => r.status),
    tags.map(() => 'skipped'),
  );
  assert.equal(pair.targetProxy.count('HEAD', /\/manifests\//), tags.length);
  // undici closes a connection after each HEAD unless told not to: that would be one per HEAD.
  // One check at a time: one connection reused, plus the https probe, plus at most one more that
  // undici may open while it validates an idle socket. Closing after each HEAD would make it 9.
  assert.ok(
    pair.sourceProxy.connections <= 3,
    `source: ${pair.sourceProxy.connections} connections for ${pair.sourceProxy.requests.length} requests`,
  );
  assert.ok(
    pair.targetProxy.connections <= 3,
    `target: ${pair.targetProxy.connections} connections for ${pair.targetProxy.requests.length} requests`,
  );
});

test('no-change HEADs are pipelined on a few connections; pipelining: false sends one at a time per connection', async () => {
  const tags = Array.from({ length: 12 }, (_, i) => `p${i}`);
  for (const tag of tags) await pushImage(dockerImage, pair.source, `pipe/line:${tag}`);
  const tasks = tags.map((tag) => ({
    source: `${pair.sourceProxy.host}/pipe/line:${tag}`,
    target: `${pair.targetProxy.host}/pipe/line:${tag}`,
    referrers: false,
  }));
  const copied = await withEngine((engine) => Promise.all(tasks.map((t) => engine.copy(t))));
  const digests = copied.map((r) => r.digest);

  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const pipelined = await withEngine((engine) => Promise.all(tasks.map((t) => engine.copy(t))), { checkConcurrency: tags.length });
  assert.deepEqual(
    pipelined.map((r) => r.status),
    tags.map(() => 'skipped'),
  );
  assert.deepEqual(
    pipelined.map((r) => r.digest),
    digests,
    'every answer went to its own request',
  );
  for (const proxy of [pair.sourceProxy, pair.targetProxy]) {
    assert.equal(proxy.count('HEAD', /\/manifests\//), tags.length);
    assert.ok(proxy.maxPipelined > 1, `HEADs waited on one connection together (most at once: ${proxy.maxPipelined})`);
    // 12 HEADs at once, one per connection, would take 12 (plus the https probe's).
    assert.ok(proxy.connections < tags.length, `${proxy.connections} connections for ${proxy.requests.length} requests`);
  }

  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const plain = await withEngine((engine) => Promise.all(tasks.map((t) => engine.copy(t))), {
    checkConcurrency: tags.length,
    endpoint: () => ({ pipelining: false }),
  });
  assert.deepEqual(
    plain.map((r) => r.digest),
    digests,
  );
  for (const proxy of [pair.sourceProxy, pair.targetProxy]) {
    assert.equal(proxy.maxPipelined, 1, 'one request per connection at a time');
    assert.ok(proxy.connections >= tags.length, `${proxy.connections} connections: one per HEAD in flight`);
  }
});

test('a connection dropped under pipelined HEADs: the HEADs queued behind it are sent again, every check completes', async () => {
  const tags = Array.from({ length: 10 }, (_, i) => `d${i}`);
  for (const tag of tags) await pushImage(dockerImage, pair.source, `pipe/drop:${tag}`);
  const tasks = tags.map((tag) => ({
    source: `${pair.sourceProxy.host}/pipe/drop:${tag}`,
    target: `${pair.targetProxy.host}/pipe/drop:${tag}`,
    referrers: false,
  }));
  await withEngine((engine) => Promise.all(tasks.map((t) => engine.copy(t))));
  pair.targetProxy.clearRequests();
  pair.targetProxy.addFault({ method: 'HEAD', pathPattern: /\/pipe\/drop\/manifests\/d3$/, times: 1, action: { kind: 'reset' } });
  const results = await withEngine((engine) => Promise.all(tasks.map((t) => engine.copy(t))), { checkConcurrency: tags.length });
  assert.deepEqual(
    results.map((r) => r.status),
    tags.map(() => 'skipped'),
  );
  assert.ok(
    pair.targetProxy.requests.some((r) => r.status === 0),
    'the fault did drop a connection',
  );
  assert.equal(pair.targetProxy.requests.filter((r) => r.method !== 'HEAD' && r.path !== '/v2/').length, 0, 'and nothing was copied');
});

test('into a repository that already holds some blobs: those are skipped, the rest streamed', async () => {
  await pushImage(dockerImage, pair.target, 'partial/app:old');
  const built = await pushImage(ociImage, pair.source, 'partial/app:v1');
  const result = await withEngine((engine) =>
    engine.copy({ source: `${pair.source.host}/partial/app:v1`, target: `${pair.target.host}/partial/app:v1` }),
  );
  assert.equal(result.status, 'copied');
  assert.equal(result.blobsSkipped, 1, 'the shared base layer was already there');
  assert.equal(result.blobsCopied, built.blobs.length - 1);
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/partial/app:v1`, pair.target)).digest, built.digest);
});

test('a blob already in another repository of the target is mounted, not transferred', async () => {
  const built = await pushImage(ociImage, pair.source, 'mount/app:v1');
  await withEngine(async (engine) => {
    const first = await engine.copy({ source: `${pair.source.host}/mount/app:v1`, target: `${pair.targetProxy.host}/mount/first:v1` });
    assert.equal(first.blobsCopied + first.blobsSkipped, built.blobs.length);
    pair.targetProxy.clearRequests();
    const second = await engine.copy({ source: `${pair.source.host}/mount/app:v1`, target: `${pair.targetProxy.host}/mount/second:v1` });
    assert.equal(second.blobsMounted, built.blobs.length);
    assert.equal(second.bytes, 0);
    assert.equal(pair.targetProxy.count('PUT', /\/blobs\/uploads\//) + pair.targetProxy.count('PATCH'), 0, 'no upload body was sent');
    assert.equal(pair.targetProxy.count('POST', /mount=sha256/), built.blobs.length);
  });
  // Within one registry (source = pair.target), a fresh process mounts from the source repository.
  const same = await withEngine((engine) =>
    engine.copy({ source: `${pair.target.host}/mount/first:v1`, target: `${pair.target.host}/mount/third:v1` }),
  );
  assert.equal(same.blobsMounted, built.blobs.length);
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/mount/third:v1`, pair.target)).digest, built.digest);
});

test('a layer shared by images copied concurrently crosses the network once', async () => {
  const specs = ['a', 'b', 'c'].map((name) => ({ ...ociImage, layers: [...ociImage.layers, { seed: `own-${name}`, size: 4096 }] }));
  await Promise.all(specs.map((spec, i) => pushImage(spec, pair.source, `shared/img${i}:v1`)));
  pair.targetProxy.clearRequests();
  pair.sourceProxy.clearRequests();
  await withEngine(async (engine) => {
    const results = await Promise.all(
      specs.map((_, i) =>
        engine.copy({ source: `${pair.sourceProxy.host}/shared/img${i}:v1`, target: `${pair.targetProxy.host}/shared/img${i}:v1` }),
      ),
    );
    assert.ok(results.every((r) => r.status === 'copied'));
  });
  const baseGets = pair.sourceProxy.requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
  const uniqueBlobGets = new Set(baseGets.map((r) => r.path.split('/blobs/')[1]));
  assert.equal(baseGets.length, uniqueBlobGets.size, 'no blob was downloaded twice');
});

test('tags of several repositories copied at once: each blob is written into each repository once, streamed once', async () => {
  // Three repositories x three tags; every image shares the base layer, tags of a repository share its layer.
  const images = ['x', 'y', 'z'].flatMap((repo) =>
    ['t1', 't2', 't3'].map((tag) => ({
      path: `fan/${repo}:${tag}`,
      spec: { ...dockerImage, layers: [baseLayer, { seed: `fan-${repo}`, size: 64 * 1024 }, { seed: `fan-${repo}-${tag}`, size: 4096 }] },
    })),
  );
  for (const image of images) await pushImage(image.spec, pair.source, image.path);
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  await withEngine(
    async (engine) => {
      const results = await Promise.all(
        images.map((i) => engine.copy({ source: `${pair.sourceProxy.host}/${i.path}`, target: `${pair.targetProxy.host}/${i.path}` })),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        images.map(() => 'copied'),
      );
    },
    { imageConcurrency: images.length },
  ); // all at once: the tags of y and z wait together on x's transfer
  // Two writes of one blob link into one repository race in distribution 2.8: a manifest PUT
  // reading the link meanwhile failed with DIGEST_INVALID. Every POST (upload or mount) names its
  // repository; a mount names the digest, an upload's digest is on the PUT that closes it.
  const writes = new Map<string, number>();
  for (const r of pair.targetProxy.requests) {
    const repo = /^\/v2\/(.+?)\/blobs\/uploads\//.exec(r.path)?.[1];
    const digest =
      r.method === 'POST' ? /mount=([^&]+)/.exec(r.path)?.[1] : r.method === 'PUT' ? /digest=([^&]+)/.exec(r.path)?.[1] : undefined;
    if (repo && digest) writes.set(`${repo} ${decodeURIComponent(digest)}`, (writes.get(`${repo} ${decodeURIComponent(digest)}`) ?? 0) + 1);
  }
  const twice = [...writes].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no blob was mounted or uploaded twice into one repository');
  const mounts = pair.targetProxy.requests.filter((r) => r.method === 'POST' && r.path.includes('mount='));
  assert.ok(mounts.length >= 2, `the base layer is mounted into the other repositories (${mounts.length} mounts)`);
  const blobGets = pair.sourceProxy.requests
    .filter((r) => r.method === 'GET' && r.path.includes('/blobs/'))
    .map((r) => r.path.split('/blobs/')[1]);
  assert.equal(blobGets.length, new Set(blobGets).size, 'no blob was downloaded twice');
});
