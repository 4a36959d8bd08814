import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { AuthError, NetworkError } from '../../errors/index.js';
import { AddressPolicy } from './address-policy.js';
import { endpointOptions } from './endpoint-options.js';
import { fetchOutOfBandToken } from './out-of-band-token.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const seen: Seen[] = [];
let base = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const path = (req.url ?? '').split('?')[0];
    if (path === '/json') return void res.end(JSON.stringify({ token: 'tok-json', expires_in: 300 }));
    if (path === '/access') return void res.end(JSON.stringify({ access_token: 'tok-access' }));
    if (path === '/bare') return void res.end('tok-bare\n');
    if (path === '/empty') return void res.end('{}');
    res.statusCode = 401;
    res.end('denied');
  });
});
before(
  () =>
    new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        resolve();
      }),
    ),
);
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const never = new AbortController().signal;
const loopbackAllowed = new AddressPolicy(['loopback']);

test('GET without json, POST with it; header lines are sent; token, access_token or a bare body', async () => {
  assert.equal(
    await fetchOutOfBandToken(
      {
        url: `${base}/json?service=x`,
        header: 'X-Api-Key: k1\nX-Other: two',
        json: undefined,
        token_type: undefined,
        basicauth: undefined,
      },
      { tlsVerify: true },
      never,
    ),
    'tok-json',
  );
  assert.equal(seen.at(-1)?.method, 'GET');
  assert.equal(seen.at(-1)?.url, '/json?service=x');
  assert.equal(seen.at(-1)?.headers['x-api-key'], 'k1');
  assert.equal(seen.at(-1)?.headers['x-other'], 'two');

  assert.equal(
    await fetchOutOfBandToken(
      {
        url: `${base}/access`,
        header: { 'X-Api-Key': 'k2' },
        json: { user: 'u', scope: 'pull' },
        token_type: undefined,
        basicauth: undefined,
      },
      { tlsVerify: true },
      never,
    ),
    'tok-access',
  );
  assert.equal(seen.at(-1)?.method, 'POST');
  assert.equal(seen.at(-1)?.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(seen.at(-1)?.body ?? ''), { user: 'u', scope: 'pull' });

  assert.equal(
    await fetchOutOfBandToken(
      { url: `${base}/bare`, json: '{"a":1}', header: undefined, token_type: undefined, basicauth: undefined },
      { tlsVerify: true },
      never,
    ),
    'tok-bare',
  );
  assert.equal(seen.at(-1)?.body, '{"a":1}');
});

test('refusals and dead endpoints are typed errors that never show secret query values', async () => {
  await assert.rejects(
    fetchOutOfBandToken(
      { url: `${base}/denied?password=hunter2`, header: undefined, json: undefined, token_type: undefined, basicauth: undefined },
      { tlsVerify: true },
      never,
    ),
    (e: unknown) => e instanceof AuthError && e.message.includes('answered 401') && !e.message.includes('hunter2'),
  );
  await assert.rejects(
    fetchOutOfBandToken(
      { url: `${base}/empty`, header: undefined, json: undefined, token_type: undefined, basicauth: undefined },
      { tlsVerify: true },
      never,
    ),
    (e: unknown) => e instanceof AuthError && e.message.includes('without a token'),
  );
  await assert.rejects(
    fetchOutOfBandToken(
      { url: 'http://127.0.0.1:1/token?secret=s3', header: undefined, json: undefined, token_type: undefined, basicauth: undefined },
      { tlsVerify: true },
      never,
    ),
    (e: unknown) => e instanceof NetworkError && !e.message.includes('s3'),
  );
});

test('endpoint options: basic auth wins over a token URL; a token URL becomes a static token of its type', async () => {
  const basic = await endpointOptions(
    {
      endpoint: '127.0.0.1:5000',
      auth: { basicauth: { user: 'u', password: 'p' }, url: `${base}/json`, header: undefined, json: undefined, token_type: undefined },
    },
    { host: '127.0.0.1:5000', insecure: false },
    { signal: never, policy: loopbackAllowed },
  );
  assert.equal(basic.credentials?.username, 'u');
  assert.equal(basic.staticToken, undefined);
  const before = seen.length;
  const token = await endpointOptions(
    {
      endpoint: 'http://127.0.0.1:5000',
      verify_tls: false,
      auth: { url: `${base}/json`, token_type: 'JWT', header: undefined, json: undefined, basicauth: undefined },
    },
    { host: '127.0.0.1:5000', insecure: true },
    { signal: never, policy: loopbackAllowed },
  );
  assert.deepEqual(token, {
    addressGuard: loopbackAllowed,
    insecure: true,
    scheme: 'http',
    tlsVerify: false,
    staticToken: { token: 'tok-json', type: 'JWT' },
  });
  assert.equal(seen.length, before + 1);
  assert.deepEqual(
    await endpointOptions(
      { endpoint: '127.0.0.1:5000' },
      { host: '127.0.0.1:5000', insecure: false },
      { signal: never, policy: loopbackAllowed },
    ),
    { addressGuard: loopbackAllowed },
  );
});

test('a token URL the policy refuses is never asked, by name (after the lookup) or by address; refused headers are never sent', async () => {
  const noLoopback = new AddressPolicy([]);
  const before = seen.length;
  const auth = (url: string) => ({ url, token_type: undefined, header: undefined, json: undefined, basicauth: undefined });
  for (const url of [`${base}/json`, `${base.replace('127.0.0.1', 'localhost')}/json`]) {
    await assert.rejects(
      endpointOptions(
        { endpoint: 'https://registry.example', auth: auth(url) },
        { host: '203.0.113.9', insecure: false },
        { signal: never, policy: noLoopback },
      ),
      (e: unknown) =>
        (e as { code?: string }).code === 'ADDRESS_REFUSED' &&
        (e as Error).message.includes('loopback address, not in api.distributeAllowedNetworks'),
    );
    // The connection itself is guarded too (a name that resolved elsewhere at check time gains nothing).
    await assert.rejects(
      fetchOutOfBandToken(auth(url), { tlsVerify: true, guard: noLoopback }, never),
      (e: unknown) => e instanceof NetworkError && /ADDRESS_REFUSED|loopback address/.test(e.message),
    );
  }
  assert.equal(seen.length, before, 'the token server was never reached');

  await fetchOutOfBandToken(
    { ...auth(`${base}/json`), header: 'Metadata-Flavor: Google\nHost: metadata.google.internal\nX-Api-Key: k3' },
    { tlsVerify: true },
    never,
  );
  assert.equal(seen.at(-1)?.headers['metadata-flavor'], undefined);
  assert.match(String(seen.at(-1)?.headers.host), /^127\.0\.0\.1:\d+$/);
  assert.equal(seen.at(-1)?.headers['x-api-key'], 'k3');
});
