import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { request, type Dispatcher } from 'undici';
import { ociImage } from './self-test-fixtures.js';
import { pushImage, startFaultProxy, startRegistry, type BuiltImage, type FaultProxy, type TestRegistry } from './index.js';
import { startedSoFar } from './started-so-far.js';

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';
let registry: TestRegistry;
let proxy: FaultProxy;
let built: BuiltImage;
let biggest: { digest: string; size: number };

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(check(), 'condition not reached within 5 s');
}

before(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
  built = await pushImage(ociImage, registry, 'proxy/app:v1');
  biggest = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
});

after(async () => {
  const started = startedSoFar({ proxy, registry });
  await started.proxy?.close();
  await started.registry?.stop();
});

test('forwards and records requests, and counts them by method and path', async () => {
  proxy.clearRequests();
  const res = await request(`${proxy.url}/v2/proxy/app/manifests/v1`, { headers: { accept: ACCEPT } });
  assert.equal(res.statusCode, 200);
  assert.ok(Buffer.from(await res.body.arrayBuffer()).equals(built.manifest));
  const head = await request(`${proxy.url}/v2/proxy/app/blobs/${biggest.digest}`, { method: 'HEAD' });
  await head.body.dump();
  assert.equal(head.headers['content-length'], String(biggest.size));
  assert.deepEqual(
    proxy.requests.map(({ method, path, status, bytesIn, bytesOut }) => ({ method, path, status, bytesIn, bytesOut })),
    [
      { method: 'GET', path: '/v2/proxy/app/manifests/v1', status: 200, bytesIn: 0, bytesOut: built.manifest.length },
      { method: 'HEAD', path: `/v2/proxy/app/blobs/${biggest.digest}`, status: 200, bytesIn: 0, bytesOut: 0 },
    ],
  );
  assert.equal(proxy.requests[0]?.headers.accept, ACCEPT, 'request headers are recorded');
  assert.equal(proxy.count('get', /\/manifests\//), 1);
  assert.equal(proxy.count('HEAD'), 1);
});

test('trickle sends the first bytes at once, then a few bytes at a time, and the whole body arrives', async () => {
  proxy.addFault({
    method: 'GET',
    pathPattern: /\/manifests\//,
    times: 1,
    action: { kind: 'trickle', afterBytes: built.manifest.length - 40, bytes: 10, everyMs: 20 },
  });
  const started = Date.now();
  const res = await request(`${proxy.url}/v2/proxy/app/manifests/v1`, { headers: { accept: ACCEPT } });
  assert.ok(Buffer.from(await res.body.arrayBuffer()).equals(built.manifest));
  assert.ok(Date.now() - started >= 4 * 20, 'the last 40 bytes took four steps');
});

test('injects 429 with Retry-After the given number of times, then forwards again', async () => {
  proxy.addFault({
    method: 'GET',
    pathPattern: /\/manifests\//,
    times: 2,
    action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
  });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await request(`${proxy.url}/v2/proxy/app/manifests/v1`, { headers: { accept: ACCEPT } });
    await res.body.dump();
    statuses.push(res.statusCode);
    if (res.statusCode === 429) assert.equal(res.headers['retry-after'], '1');
  }
  assert.deepEqual(statuses, [429, 429, 200]);
});

test('keeps Host, so upload Locations point back at the proxy; streams an upload through', async () => {
  const started = await request(`${proxy.url}/v2/proxy/up/blobs/uploads/`, { method: 'POST' });
  await started.body.dump();
  assert.equal(started.statusCode, 202);
  const location = String(started.headers.location);
  assert.ok(location.startsWith(proxy.url), location);
  const body = Buffer.from('hello through the proxy');
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  const put = await request(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
  await put.body.dump();
  assert.equal(put.statusCode, 201);
});

test('reset drops the connection without an answer', async () => {
  proxy.addFault({ pathPattern: /\/v2\/$/, times: 1, action: { kind: 'reset' } });
  await assert.rejects(request(`${proxy.url}/v2/`));
  assert.equal(proxy.requests.at(-1)?.status, 0);
  assert.equal((await request(`${proxy.url}/v2/`)).statusCode, 200);
});

test('truncate sends headers and exactly N body bytes, then cuts the connection', async () => {
  proxy.addFault({ method: 'GET', pathPattern: new RegExp(biggest.digest), times: 1, action: { kind: 'truncate', afterBytes: 1000 } });
  const res = await request(`${proxy.url}/v2/proxy/app/blobs/${biggest.digest}`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-length'], String(biggest.size));
  let received = 0;
  await assert.rejects(async () => {
    for await (const chunk of res.body) received += (chunk as Buffer).length;
  });
  assert.equal(received, 1000);
  const whole = await request(`${proxy.url}/v2/proxy/app/blobs/${biggest.digest}`);
  assert.equal(Buffer.from(await whole.body.arrayBuffer()).length, biggest.size);
  assert.equal(proxy.count('GET', new RegExp(biggest.digest)), 2);
});

test('stall sends headers and N body bytes, holds the rest until release, then the body completes', async () => {
  proxy.addFault({ method: 'GET', pathPattern: new RegExp(biggest.digest), times: 1, action: { kind: 'stall', afterBytes: 1000 } });
  const res = await request(`${proxy.url}/v2/proxy/app/blobs/${biggest.digest}`);
  assert.equal(res.statusCode, 200);
  const hash = createHash('sha256');
  let received = 0;
  let release: (() => void) | undefined;
  const firstBytes = new Promise<void>((resolve) => (release = resolve));
  const body = (async () => {
    for await (const chunk of res.body) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
      if (received >= 1000) release?.();
    }
  })();
  await firstBytes;
  assert.equal(received, 1000, 'exactly N bytes before the release');
  assert.deepEqual(
    proxy.stalled.map((r) => r.path),
    [`/v2/proxy/app/blobs/${biggest.digest}`],
  );
  proxy.release();
  await body;
  assert.equal(received, biggest.size);
  assert.equal(`sha256:${hash.digest('hex')}`, biggest.digest);
  assert.equal(proxy.stalled.length, 0);
});

test('release() also lets go an answer whose stall was picked before it but reached its N bytes after it', async () => {
  // The manifest PUT's answer (an error with a JSON body) comes only once the body ends, so the test
  // releases between the stall being picked (the request arrived) and the answer being held.
  const path = '/v2/proxy/late/manifests/v1';
  proxy.addFault({ method: 'PUT', pathPattern: new RegExp(path), times: 1, action: { kind: 'stall', afterBytes: 10 } });
  const body = new PassThrough();
  const answering = request(`${proxy.url}${path}`, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  body.write('{');
  await until(() => proxy.requests.some((r) => r.path === path));
  proxy.release();
  body.end('"not": "a manifest"}');
  const res = await answering;
  let done = false;
  const text = res.body.text().then((t) => ((done = true), t));
  await until(() => done || proxy.stalled.length > 0);
  assert.deepEqual(proxy.stalled, [], 'held after the release that should have let it go');
  assert.ok(res.statusCode >= 400, `refused: ${res.statusCode}`);
  assert.match(await text, /^\{"errors":.{10,}/, 'an error body longer than the 10 bytes a stall would have let through');
});

test('a held answer whose client goes away is no longer listed as stalled', async () => {
  proxy.addFault({ method: 'GET', pathPattern: new RegExp(biggest.digest), times: 1, action: { kind: 'stall', afterBytes: 0 } });
  const controller = new AbortController();
  const res = await request(`${proxy.url}/v2/proxy/app/blobs/${biggest.digest}`, { signal: controller.signal });
  assert.equal(res.statusCode, 200);
  assert.equal(proxy.stalled.length, 1);
  controller.abort();
  await assert.rejects(res.body.arrayBuffer());
  await until(() => proxy.stalled.length === 0);
});

test('a registry that is down resets client connections', async () => {
  await registry.kill();
  try {
    await assert.rejects(request(`${proxy.url}/v2/`));
  } finally {
    await registry.start();
  }
  assert.equal((await request(`${proxy.url}/v2/`)).statusCode, 200);
});

test('link sets the Link header of a forwarded answer (a chain or loop of pages the registry would not send)', async () => {
  proxy.addFault({
    method: 'GET',
    pathPattern: /\/tags\/list/,
    times: 1,
    action: { kind: 'link', link: (path) => `<${path}>; rel="next"` },
  });
  const res = await request(`${proxy.url}/v2/proxy/app/tags/list?n=5`);
  assert.equal(res.headers.link, '</v2/proxy/app/tags/list?n=5>; rel="next"');
  assert.deepEqual(await res.body.json(), { name: 'proxy/app', tags: ['v1'] });
});

test('paginate serves the tags in pages of n with a relative Link, as a registry that honours n would', async () => {
  for (const tag of ['v2', 'v3']) await pushImage(ociImage, registry, `proxy/app:${tag}`); // one repository: one push at a time
  proxy.addFault({ method: 'GET', pathPattern: /\/tags\/list/, times: 2, action: { kind: 'paginate', field: 'tags', size: 2 } });
  const first = await request(`${proxy.url}/v2/proxy/app/tags/list`);
  assert.deepEqual(await first.body.json(), { name: 'proxy/app', tags: ['v1', 'v2'] });
  assert.equal(first.headers.link, '</v2/proxy/app/tags/list?n=2&last=v2>; rel="next"');
  const second = await request(`${proxy.url}/v2/proxy/app/tags/list?n=2&last=v2`);
  assert.deepEqual(await second.body.json(), { name: 'proxy/app', tags: ['v3'] });
  assert.equal(second.headers.link, undefined, 'no next page after the last');
});

test('paginate pages _catalog too, to the end, although the registry honours n there (the proxy asks it for the whole rest)', async () => {
  await Promise.all(['page/a', 'page/b'].map((repository) => pushImage(ociImage, registry, `${repository}:v1`)));
  const all = ((await (await request(`${registry.url}/v2/_catalog`)).body.json()) as { repositories: string[] }).repositories;
  assert.ok(all.length >= 3);
  proxy.addFault({
    method: 'GET',
    pathPattern: /^\/v2\/_catalog/,
    times: 10,
    action: { kind: 'paginate', field: 'repositories', size: 1 },
  });
  const paged: string[] = [];
  let next: string | undefined = '/v2/_catalog?n=1000';
  while (next) {
    const page: Dispatcher.ResponseData = await request(`${proxy.url}${next}`);
    paged.push(...((await page.body.json()) as { repositories: string[] }).repositories);
    next = /^<([^>]+)>/.exec(String(page.headers.link ?? ''))?.[1];
  }
  proxy.clearFaults();
  assert.deepEqual(paged, [...all].sort());
});

test('drop-headers forwards the answer without the named headers', async () => {
  proxy.addFault({
    method: 'GET',
    pathPattern: /\/blobs\//,
    times: 1,
    action: { kind: 'drop-headers', names: ['content-length', 'Docker-Content-Digest'] },
  });
  const res = await request(`${proxy.url}/v2/proxy/app/blobs/${biggest.digest}`);
  const body = Buffer.from(await res.body.arrayBuffer());
  assert.equal(res.headers['content-length'], undefined);
  assert.equal(res.headers['docker-content-digest'], undefined);
  assert.equal(body.length, biggest.size);
});

test('cut-request passes N request body bytes on, then breaks the connection; the bytes are counted', async () => {
  const started = await request(`${proxy.url}/v2/proxy/cut/blobs/uploads/`, { method: 'POST' });
  await started.body.dump();
  const location = new URL(String(started.headers.location), proxy.url);
  proxy.addFault({ method: 'PATCH', times: 1, action: { kind: 'cut-request', afterBytes: 100_000 } });
  proxy.clearRequests();
  await assert.rejects(
    request(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1_000_000, 1) }),
  );
  assert.equal(proxy.requests[0]?.bytesIn, 100_000);
  assert.equal(proxy.requests[0].status, 0);
});
