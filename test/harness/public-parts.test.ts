import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ProxyAgent, request } from 'undici';
import {
  startFaultProxy,
  startForwardProxy,
  startRegistry,
  type FaultProxy,
  type ForwardProxy,
  type TestRegistry,
  startedSoFar,
} from './index.js';

/** Self-tests for the harness parts of the public-registry tests: IPv6, a forward proxy, quota headers, tokens that stop working. */

describe('a registry on IPv6 loopback', () => {
  let registry: TestRegistry;
  after(() => startedSoFar({ registry }).registry?.stop());

  test('listens on [::1]:PORT and nowhere else', async () => {
    registry = await startRegistry({ ipv6: true });
    assert.match(registry.host, /^\[::1\]:\d+$/);
    const answer = await request(`http://${registry.host}/v2/`);
    await answer.body.dump();
    assert.equal(answer.statusCode, 200);
    const port = registry.host.slice(registry.host.lastIndexOf(':') + 1);
    await assert.rejects(request(`http://127.0.0.1:${port}/v2/`), /ECONNREFUSED/);
  });
});

describe('tinyproxy as a forward proxy', () => {
  let registry: TestRegistry;
  let tls: TestRegistry;
  let proxy: ForwardProxy;
  after(() => {
    const started = startedSoFar({ registry, tls, proxy });
    return Promise.all([started.registry?.stop(), started.tls?.stop(), started.proxy?.stop()]);
  });

  test('relays plain http in absolute form and https in a CONNECT tunnel, and logs both', async () => {
    [registry, tls, proxy] = await Promise.all([startRegistry(), startRegistry({ tls: true }), startForwardProxy()]);
    const plain = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    const tunnel = new ProxyAgent({ uri: proxy.url, requestTls: { rejectUnauthorized: false } });
    after(() => Promise.all([plain.close(), tunnel.close()]));
    const viaPlain = await request(`${registry.url}/v2/`, { dispatcher: plain });
    await viaPlain.body.dump();
    assert.equal(viaPlain.statusCode, 200);
    const viaTunnel = await request(`${tls.url}/v2/`, { dispatcher: tunnel });
    await viaTunnel.body.dump();
    assert.equal(viaTunnel.statusCode, 200);
    assert.equal(proxy.count('GET', `http://${registry.host}/v2/`), 1);
    assert.equal(proxy.count('CONNECT', tls.host), 1);
  });
});

describe('fault proxy: quota headers and requests in flight', () => {
  let registry: TestRegistry;
  let faults: FaultProxy;
  after(() => {
    const started = startedSoFar({ faults, registry });
    return Promise.all([started.faults?.close(), started.registry?.stop()]);
  });

  test('add-headers puts the headers on the answers it matches; maxInFlight counts answers not yet sent', async () => {
    registry = await startRegistry();
    faults = await startFaultProxy(registry);
    faults.addFault({
      method: 'GET',
      pathPattern: /^\/v2\/$/,
      times: 1,
      action: { kind: 'add-headers', headers: { 'RateLimit-Remaining': '7;w=60' } },
    });
    const first = await request(`${faults.url}/v2/`);
    await first.body.dump();
    const second = await request(`${faults.url}/v2/`);
    await second.body.dump();
    assert.equal(first.headers['ratelimit-remaining'], '7;w=60');
    assert.equal(second.headers['ratelimit-remaining'], undefined);
    assert.equal(faults.inFlight, 0);
    assert.equal(faults.maxInFlight, 1);
    // Three answers held mid-way are three in flight at once.
    faults.addFault({ method: 'GET', pathPattern: /^\/v2\/$/, times: 3, action: { kind: 'stall', afterBytes: 0 } });
    const held = await Promise.all([1, 2, 3].map(() => request(`${faults.url}/v2/`)));
    assert.equal(faults.stalled.length, 3);
    assert.equal(faults.inFlight, 3);
    faults.release();
    await Promise.all(held.map((answer) => answer.body.dump()));
    assert.equal(faults.maxInFlight, 3);
    assert.equal(faults.inFlight, 0);
    assert.ok(faults.requests.every((r) => r.at > 0));
  });
});

describe('token issuer: acceptedFor', () => {
  let registry: TestRegistry;
  after(() => startedSoFar({ registry }).registry?.stop());

  test('the registry refuses a token once acceptedFor has passed, while the reply still says expiresIn', async () => {
    registry = await startRegistry({ auth: 'token', token: { allowAnonymousPull: true, acceptedFor: 1 } });
    const issuer = registry.tokenIssuer;
    assert.ok(issuer);
    const reply = await request(`${issuer.realm}?service=x&scope=registry:catalog:*`);
    const { token, expires_in: expiresIn } = (await reply.body.json()) as { token: string; expires_in: number };
    assert.equal(expiresIn, 300);
    const withToken = async (): Promise<number> => {
      const answer = await request(`${registry.url}/v2/`, { headers: { authorization: `Bearer ${token}` } });
      await answer.body.dump();
      return answer.statusCode;
    };
    assert.equal(await withToken(), 200);
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await withToken();
    }
    assert.equal(status, 401, 'still accepted after 10 s');
    assert.equal(issuer.issued.length, 1);
  });
});
