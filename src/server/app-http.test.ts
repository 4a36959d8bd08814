import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testApi, testConfig } from './api-test-kit.js';

/** The HTTP edges of the API: cross-origin changes, methods, bodies and headers it refuses, and how. */

test('CSRF: changes are refused from another origin or site, never made by HEAD, by GET only with auth on; reads stay', async (t) => {
  const api = await testApi();
  const state = () => api.scheduler.get('other.example')?.state;
  const ops = (method: 'GET' | 'POST' | 'HEAD', action: string, headers: Record<string, string> = {}) =>
    api.app.inject({
      method,
      url: `/ops?sync=other.example&action=${action}`,
      headers: { ...api.auth, host: '127.0.0.1:8001', ...headers },
    });
  t.after(() => api.close());
  const foreign: Array<Record<string, string>> = [
    { origin: 'http://evil.example' },
    { origin: 'null' },
    { origin: 'http://127.0.0.1:8002' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
  ];
  for (const headers of foreign) {
    for (const method of ['GET', 'POST'] as const) {
      const refused = await ops(method, 'pause', headers);
      assert.equal(refused.statusCode, 403, `${method} ${JSON.stringify(headers)}`);
      assert.equal(refused.json().error.code, 'CROSS_ORIGIN');
    }
    const job = await api.app.inject({
      method: 'POST',
      url: '/api/distribute/image',
      headers: { ...api.auth, host: '127.0.0.1:8001', ...headers },
      payload: {},
    });
    assert.equal(job.statusCode, 403, `distribute ${JSON.stringify(headers)}`);
    assert.equal((await ops('GET', 'details', headers)).statusCode, 200, 'reads stay open');
  }
  assert.equal(state(), 'scheduled', 'nothing was paused');
  const head = await ops('HEAD', 'pause');
  assert.equal(head.statusCode, 405);
  assert.equal(head.headers.allow, 'GET, POST');
  assert.equal(state(), 'scheduled', 'HEAD paused the registry');
  assert.equal((await ops('HEAD', 'details')).statusCode, 200);

  assert.equal(
    (await ops('POST', 'pause', { origin: 'http://127.0.0.1:8001', 'sec-fetch-site': 'same-origin' })).statusCode,
    200,
    'same origin may',
  );
  assert.equal(state(), 'paused');
  assert.equal((await ops('GET', 'resume')).statusCode, 200, 'GET changes with the token (a browser cannot add it cross-origin)');
  assert.equal(state(), 'scheduled');

  api.setConfig(testConfig({ enableAuth: false }));
  const get = await ops('GET', 'pause');
  assert.equal(get.statusCode, 405);
  assert.equal(get.headers.allow, 'POST');
  assert.match(get.json().error.message, /use POST for action=pause \(GET may change state only when api\.enableAuth is on\)/);
  assert.equal(state(), 'scheduled');
  assert.equal((await ops('GET', 'details')).statusCode, 200);
  assert.equal((await ops('POST', 'pause')).statusCode, 200);
  assert.equal(state(), 'paused');
});

test('HTTP details: 405 with Allow for a known path, 404 for an unknown one, both after auth', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const cases: Array<['DELETE' | 'PUT' | 'PATCH' | 'OPTIONS', string, string]> = [
    ['DELETE', '/ops?sync=other.example&action=pause', 'GET, HEAD, POST'],
    ['PUT', '/api/distribute/image', 'GET, HEAD, POST'],
    ['DELETE', '/api/distribute/image/some-id', 'GET, HEAD'],
    ['PATCH', '/healthz', 'GET, HEAD'],
    ['OPTIONS', '/list?type=active', 'GET, HEAD'],
  ];
  for (const [method, url, allow] of cases) {
    const answer = await api.app.inject({ method, url, headers: api.auth });
    assert.equal(answer.statusCode, 405, `${method} ${url}`);
    assert.equal(answer.headers.allow, allow);
    assert.deepEqual(answer.json(), {
      error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${url.split('?')[0]}; allowed: ${allow}` },
    });
  }
  assert.equal(api.scheduler.get('other.example')?.state, 'scheduled');
  assert.equal((await api.app.inject({ method: 'DELETE', url: '/nothing', headers: api.auth })).statusCode, 404);
  assert.equal((await api.app.inject({ method: 'DELETE', url: '/ops' })).statusCode, 401, 'strangers learn nothing');
});

test('HTTP details: a body with __proto__ or constructor.prototype is refused by name, without pollution; bad JSON is not quoted', async (t) => {
  const api = await testApi();
  const post = (payload: string) =>
    api.app.inject({ method: 'POST', url: '/api/distribute/image', headers: { ...api.auth, 'content-type': 'application/json' }, payload });
  t.after(() => api.close());
  const proto = await post('{"__proto__": {"polluted": "yes"}, "source": {}, "targets": []}');
  assert.equal(proto.statusCode, 400);
  assert.deepEqual(proto.json(), {
    error: {
      code: 'INVALID_BODY',
      message: '__proto__: keys named "__proto__" (or "constructor.prototype") are refused: they could reach an object\'s prototype',
    },
  });
  const nested = await post('{"source": {"auth": {"constructor": {"prototype": {"polluted": "yes"}}}}, "targets": [{"__proto__": 1}]}');
  assert.match(nested.json().error.message, /^(source\.auth\.constructor\.prototype|targets\[0\]\.__proto__): keys named/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const broken = await post('{"source": {"auth": {"basicauth": {"user": "u", "password": "Hunter2-Secret"}}} x');
  assert.equal(broken.statusCode, 400);
  assert.match(broken.json().error.message, /^the body is not valid JSON \(at character \d+\)$/);
  assert.equal(broken.body.includes('Hunter2'), false);
  const empty = await post('');
  assert.deepEqual([empty.statusCode, empty.json().error.code], [400, 'INVALID_BODY']);
  assert.match(empty.json().error.message, /^the body is missing: expected a JSON object body: \{source: /);
  assert.equal(api.submitted.length, 0);
});

test('an empty body sent as application/json is no body: a POST that takes none answers as without the header', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  // What `curl -X POST -H 'Content-Type: application/json' URL` (no -d) sends: Content-Length 0.
  for (const action of ['pause', 'resume']) {
    const answer = await api.app.inject({
      method: 'POST',
      url: `/ops?sync=other.example&action=${action}`,
      headers: { ...api.auth, 'content-type': 'application/json' },
      payload: '',
    });
    assert.equal(answer.statusCode, 200, `${action}: ${answer.body}`);
  }
  assert.equal(api.scheduler.get('other.example')?.state, 'scheduled', 'paused, then resumed');
});

test('HTTP details: headers too large get 431 in the {error: {code, message}} shape', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const answer = await fetch(`${url}/healthz`, { headers: { 'x-filler': 'x'.repeat(20_000) } });
  assert.equal(answer.status, 431);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await answer.json(), {
    error: { code: 'HEADERS_TOO_LARGE', message: 'the request headers are too large (at most 16 KiB)' },
  });
});

test('HTTP details: a body over 1 MiB gets its 413 after it was sent, so the client reads it; the connection stays usable', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const big = JSON.stringify({ source: { image: 'a'.repeat(2 * 1024 * 1024) } });
  const headers = { ...api.auth, 'content-type': 'application/json' };
  const refused = { error: { code: 'BODY_TOO_LARGE', message: 'the request body is too large (at most 1 MiB)' } };
  // Answered before the body was read, most of these failed to send ("fetch failed": EPIPE).
  for (let i = 0; i < 20; i++) {
    const answer = await fetch(`${url}/api/distribute/image`, { method: 'POST', headers, body: big });
    assert.equal(answer.status, 413, `request ${i + 1}`);
    assert.deepEqual(await answer.json(), refused);
    assert.notEqual(answer.headers.get('connection'), 'close', 'the body was read: the connection can be kept');
  }
  // No Content-Length (chunked): refused once past the limit, the rest read too.
  const chunks = Array.from({ length: 32 }, () => Buffer.alloc(64 * 1024, 'a'));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  const chunked = await fetch(`${url}/api/distribute/image`, { method: 'POST', headers, body: stream, duplex: 'half' });
  assert.equal(chunked.status, 413);
  assert.deepEqual(await chunked.json(), refused);
});
