import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  startForwardProxy,
  startRegistry,
  type BuiltImage,
  type ForwardProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { dockerImage } from './fixtures.js';

/*
 * HTTP(S) proxies, through a real forward proxy (tinyproxy) on loopback: plain http goes to it in
 * absolute form, https in a CONNECT tunnel (TLS to the registry inside it). HTTPS_PROXY, HTTP_PROXY
 * and NO_PROXY are honoured by default; a host's `proxy:` setting wins over them. The engine is
 * given the environment to read (proxyEnv) instead of process.env, so no test leaks into another.
 */

let source: TestRegistry;
let target: TestRegistry;
let proxy: ForwardProxy;
let built: BuiltImage;
/** A proxy address nothing listens on: a request sent there fails. */
const DEAD_PROXY = 'http://127.0.0.1:9';

before(async () => {
  [source, target, proxy] = await Promise.all([startRegistry(), startRegistry({ tls: true }), startForwardProxy()]);
  built = await pushImage(dockerImage, source, 'proxied/app:v1');
});

after(async () => {
  const started = startedSoFar({ source, target, proxy });
  await Promise.all([started.source?.stop(), started.target?.stop(), started.proxy?.stop()]);
});

// The source is plain http (no https attempt first), the target https with a self-signed certificate.
const sourceEndpoint = { insecure: true, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } };
const targetEndpoint = { tlsVerify: false, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } };

async function copyWith(env: NodeJS.ProcessEnv, repo: string, endpoints: { source?: object; target?: object } = {}): Promise<string> {
  const engine = new CopyEngine({ proxyEnv: env });
  try {
    const result = await engine.copy({
      source: `${source.host}/proxied/app:v1`,
      target: `${target.host}/${repo}:v1`,
      sourceEndpoint: { ...sourceEndpoint, ...endpoints.source },
      targetEndpoint: { ...targetEndpoint, ...endpoints.target },
    });
    return result.digest;
  } finally {
    await engine.close();
  }
}

test('HTTP_PROXY and HTTPS_PROXY of the environment carry plain http in absolute form and https in a CONNECT tunnel', async () => {
  const before = proxy.requests.length;
  const digest = await copyWith({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }, 'proxied/env');
  assert.equal(digest, built.digest);
  const relayed = proxy.requests.slice(before);
  assert.ok(
    relayed.some((r) => r.method === 'GET' && r.target.startsWith(`http://${source.host}/v2/proxied/app/blobs/`)),
    JSON.stringify(relayed),
  );
  assert.ok(
    relayed.some((r) => r.method === 'CONNECT' && r.target === target.host),
    JSON.stringify(relayed),
  );
  assert.equal((await skopeoInspectRaw(`${target.host}/proxied/env:v1`, target)).digest, built.digest);
});

test('the lowercase names are read too, and NO_PROXY sends its hosts direct', async () => {
  const before = proxy.requests.length;
  const digest = await copyWith({ https_proxy: proxy.url, http_proxy: proxy.url, no_proxy: source.host }, 'proxied/no-proxy');
  assert.equal(digest, built.digest);
  const relayed = proxy.requests.slice(before);
  assert.equal(relayed.filter((r) => r.target.includes(source.host)).length, 0, `the source is in NO_PROXY: ${JSON.stringify(relayed)}`);
  assert.ok(relayed.some((r) => r.method === 'CONNECT' && r.target === target.host));
});

test("a host's proxy setting wins over the environment's, and proxy: none goes direct", async () => {
  const before = proxy.requests.length;
  // The environment's proxy is dead: a request that went there would fail.
  const digest = await copyWith({ HTTP_PROXY: DEAD_PROXY, HTTPS_PROXY: DEAD_PROXY }, 'proxied/setting', {
    source: { proxy: 'none' },
    target: { proxy: proxy.url },
  });
  assert.equal(digest, built.digest);
  const relayed = proxy.requests.slice(before);
  assert.equal(relayed.filter((r) => r.target.includes(source.host)).length, 0);
  assert.ok(relayed.some((r) => r.method === 'CONNECT' && r.target === target.host));
});

test('a proxy that cannot be reached fails the copy naming the registry, and its password never shows', async () => {
  const engine = new CopyEngine({ proxyEnv: {} });
  try {
    await assert.rejects(
      engine.copy({
        source: `${source.host}/proxied/app:v1`,
        target: `${target.host}/proxied/dead:v1`,
        sourceEndpoint: { ...sourceEndpoint, proxy: 'http://user:proxy-secret-31@127.0.0.1:9' },
        targetEndpoint,
      }),
      (error: Error) => {
        assert.match(error.message, new RegExp(source.host));
        assert.equal(error.message.includes('proxy-secret-31'), false, error.message);
        return true;
      },
    );
  } finally {
    await engine.close();
  }
});
