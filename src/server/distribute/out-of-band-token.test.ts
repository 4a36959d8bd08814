import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { AuthError, NetworkError } from '../../errors/index.js';
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
before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  resolve();
})));
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const never = new AbortController().signal;

test('GET without json, POST with it; header lines are sent; token, access_token or a bare body', async () => {
  assert.equal(await fetchOutOfBandToken({ url: `${base}/json?service=x`, header: 'X-Api-Key: k1\nX-Other: two', json: undefined, token_type: undefined, basicauth: undefined }, true, never), 'tok-json');
  assert.equal(seen.at(-1)?.method, 'GET');
  assert.equal(seen.at(-1)?.url, '/json?service=x');
  assert.equal(seen.at(-1)?.headers['x-api-key'], 'k1');
  assert.equal(seen.at(-1)?.headers['x-other'], 'two');

  assert.equal(await fetchOutOfBandToken({ url: `${base}/access`, header: { 'X-Api-Key': 'k2' }, json: { user: 'u', scope: 'pull' }, token_type: undefined, basicauth: undefined }, true, never), 'tok-access');
  assert.equal(seen.at(-1)?.method, 'POST');
  assert.equal(seen.at(-1)?.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(seen.at(-1)?.body ?? ''), { user: 'u', scope: 'pull' });

  assert.equal(await fetchOutOfBandToken({ url: `${base}/bare`, json: '{"a":1}', header: undefined, token_type: undefined, basicauth: undefined }, true, never), 'tok-bare');
  assert.equal(seen.at(-1)?.body, '{"a":1}');
});

test('refusals and dead endpoints are typed errors that never show secret query values', async () => {
  await assert.rejects(
    fetchOutOfBandToken({ url: `${base}/denied?password=hunter2`, header: undefined, json: undefined, token_type: undefined, basicauth: undefined }, true, never),
    (e: unknown) => e instanceof AuthError && /answered 401/.test(e.message) && !e.message.includes('hunter2'),
  );
  await assert.rejects(
    fetchOutOfBandToken({ url: `${base}/empty`, header: undefined, json: undefined, token_type: undefined, basicauth: undefined }, true, never),
    (e: unknown) => e instanceof AuthError && /without a token/.test(e.message),
  );
  await assert.rejects(
    fetchOutOfBandToken({ url: 'http://127.0.0.1:1/token?secret=s3', header: undefined, json: undefined, token_type: undefined, basicauth: undefined }, true, never),
    (e: unknown) => e instanceof NetworkError && !e.message.includes('s3'),
  );
});

test('endpoint options: basic auth wins over a token URL; a token URL becomes a static token of its type', async () => {
  const basic = await endpointOptions({ auth: { basicauth: { user: 'u', password: 'p' }, url: `${base}/json`, header: undefined, json: undefined, token_type: undefined } }, { host: 'r.example', insecure: false }, never);
  assert.equal(basic.credentials?.username, 'u');
  assert.equal(basic.staticToken, undefined);
  const before = seen.length;
  const token = await endpointOptions({ verify_tls: false, auth: { url: `${base}/json`, token_type: 'JWT', header: undefined, json: undefined, basicauth: undefined } }, { host: '127.0.0.1:5000', insecure: true }, never);
  assert.deepEqual(token, { insecure: true, scheme: 'http', tlsVerify: false, staticToken: { token: 'tok-json', type: 'JWT' } });
  assert.equal(seen.length, before + 1);
  assert.deepEqual(await endpointOptions({}, { host: 'r.example', insecure: false }, never), {});
});
