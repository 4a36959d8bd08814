import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, test, type TestContext } from 'node:test';
import { Credentials } from '../auth/credentials.js';
import { AgentPool } from './agent-pool.js';
import { discardBody } from './read-body.js';
import { Transport } from './transport.js';

/**
 * Faults the real registry cannot produce (429, Retry-After, 5xx, redirects to another origin,
 * hostile token realms), served by a scripted loopback server. Registry behaviour itself is
 * tested against the real distribution registry in test/e2e.
 */
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  userAgent: string | undefined;
}

/** A scripted server for one test: closed by that test's after hook, whether it passes, fails or times out. */
async function serve(t: TestContext, handler: Handler): Promise<{ host: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, userAgent: req.headers['user-agent'] });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { host, seen };
}

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const agents = new AgentPool();
after(() => agents.close());
const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20 } };

test('429 with Retry-After is retried after the delay the server asked for', async (t) => {
  let calls = 0;
  const server = await serve(t, (_req, res) => {
    calls++;
    if (calls <= 2) res.writeHead(429, { 'retry-after': '1' }).end();
    else res.writeHead(200).end('{}');
  });
  const notices: number[] = [];
  const transport = new Transport(server.host, fast, { agents });
  const started = Date.now();
  const response = await transport.request({
    method: 'GET',
    path: '/v2/x',
    scopes: [],
    expect: [200],
    onRetry: (n) => notices.push(n.delayMs),
  });
  await discardBody(response.body);
  assert.equal(calls, 3, 'two 429s then success');
  assert.deepEqual(notices, [1000, 1000]);
  assert.ok(Date.now() - started >= 1900);
});

test('retries are told to the listener of the request that made them, its token fetch included; one transport serves both', async (t) => {
  let tokenCalls = 0;
  const realm = await serve(t, (_req, res) => {
    // The first token fetch meets a 503: a retry of the request that needed the token.
    if (++tokenCalls === 1) res.writeHead(503).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'tok', expires_in: 300 }));
  });
  let busyCalls = 0;
  const registry = await serve(t, (req, res) => {
    if (req.headers.authorization !== 'Bearer tok')
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${realm.host}/token",service="svc"` }).end();
    else if (req.url === '/v2/b/manifests/v1' && ++busyCalls === 1) res.writeHead(503).end();
    else res.writeHead(200).end('{}');
  });
  const transport = new Transport(registry.host, fast, { agents });
  const heard = { a: [] as string[], b: [] as string[] };
  const get = async (path: string, who: 'a' | 'b') =>
    discardBody(
      (
        await transport.request({
          method: 'GET',
          path,
          scopes: ['repository:x:pull'],
          expect: [200],
          onRetry: (n) => heard[who].push(`${n.method} ${new URL(n.url).pathname}`),
        })
      ).body,
    );
  await get('/v2/a/manifests/v1', 'a');
  await get('/v2/b/manifests/v1', 'b');
  assert.deepEqual(heard, { a: ['GET /token'], b: ['GET /v2/b/manifests/v1'] });
});

test('501 is not retried; 503 is retried up to the attempt bound, then reported', async (t) => {
  const server = await serve(t, (req, res) => {
    res
      .writeHead(req.url === '/v2/not-implemented' ? 501 : 503, { 'content-type': 'application/json' })
      .end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
  });
  const transport = new Transport(server.host, { retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 } }, { agents });
  await assert.rejects(transport.request({ method: 'GET', path: '/v2/not-implemented', scopes: [], expect: [200] }), {
    name: 'HttpError',
    status: 501,
  });
  assert.equal(server.seen.filter((s) => s.url === '/v2/not-implemented').length, 1);
  await assert.rejects(
    transport.request({ method: 'GET', path: '/v2/busy', scopes: [], expect: [200] }),
    (e: Error & { status?: number }) => {
      assert.equal(e.status, 503);
      assert.match(e.message, /UNAVAILABLE: try later/);
      return true;
    },
  );
  assert.equal(server.seen.filter((s) => s.url === '/v2/busy').length, 3);
});

test('a streamed body is sent once and never replayed', async (t) => {
  const server = await serve(t, (_req, res) => res.writeHead(503).end());
  const transport = new Transport(server.host, fast, { agents });
  await assert.rejects(
    transport.request({
      method: 'PATCH',
      path: '/v2/x/blobs/uploads/1',
      body: Readable.from([Buffer.from('abc')]),
      scopes: [],
      expect: [202],
    }),
    { status: 503 },
  );
  assert.equal(server.seen.filter((s) => s.method === 'PATCH').length, 1);
});

test('Basic credentials go to the registry but not along a redirect to another origin', async (t) => {
  const storage = await serve(t, (_req, res) => res.writeHead(200).end('blob-bytes'));
  const registry = await serve(t, (req, res) => {
    if (!req.headers.authorization) res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    else res.writeHead(307, { location: `http://${storage.host}/bucket/blob?sig=1` }).end();
  });
  const transport = new Transport(registry.host, { ...fast, credentials: new Credentials('u', 'p4ss') }, { agents });
  const response = await transport.request({ method: 'GET', path: '/v2/x/blobs/sha256:aa', scopes: [], expect: [200] });
  let text = '';
  for await (const chunk of response.body) text += String(chunk);
  assert.equal(text, 'blob-bytes');
  assert.ok(registry.seen.some((s) => s.auth?.startsWith('Basic ')));
  assert.deepEqual(
    storage.seen.filter((s) => s.url.startsWith('/bucket')).map((s) => s.auth),
    [undefined],
  );
  assert.deepEqual(
    new Set([...registry.seen, ...storage.seen].map((s) => s.userAgent)),
    new Set([`picture-book/${version}`]),
    'every request, the redirect too, says who we are',
  );
});

test('bearer: one token fetch with one scope parameter per scope, reused, and refused credentials are a clear AuthError', async (t) => {
  const realm = await serve(t, (req, res) => {
    const url = new URL(req.url ?? '', 'http://x');
    if (req.headers.authorization !== `Basic ${Buffer.from('u:right').toString('base64')}`) res.writeHead(401).end('{"details":"bad"}');
    else
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: `tok-${url.searchParams.getAll('scope').join('+')}`, expires_in: 300 }));
  });
  const registry = await serve(t, (req, res) => {
    if (req.headers.authorization?.startsWith('Bearer tok-')) res.writeHead(200).end('{}');
    else
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="http://${realm.host}/token",service="svc",scope="repository:a/b:pull"` })
        .end();
  });
  const good = new Transport(registry.host, { ...fast, credentials: new Credentials('u', 'right') }, { agents });
  for (let i = 0; i < 3; i++) {
    await discardBody(
      (
        await good.request({
          method: 'GET',
          path: '/v2/a/b/tags/list',
          scopes: ['repository:a/b:pull', 'repository:c/d:pull'],
          expect: [200],
        })
      ).body,
    );
  }
  const fetches = realm.seen.filter((s) => s.url.startsWith('/token'));
  assert.equal(fetches.length, 1, 'the token is cached per scope set');
  assert.match(fetches[0]?.url ?? '', /service=svc&scope=repository%3Aa%2Fb%3Apull&scope=repository%3Ac%2Fd%3Apull/);

  const bad = new Transport(registry.host, { ...fast, credentials: new Credentials('u', 'wrong-secret') }, { agents });
  await assert.rejects(
    bad.request({ method: 'GET', path: '/v2/a/b/tags/list', scopes: ['repository:a/b:pull'], expect: [200] }),
    (e: Error) => {
      assert.equal(e.name, 'AuthError');
      assert.match(e.message, /credentials for user "u" were rejected/);
      assert.equal(e.message.includes('wrong-secret'), false);
      return true;
    },
  );
});

test('credentials go to a plain-http token realm only from a plain-http registry on the same host', async () => {
  const { fetchToken } = await import('./token-fetcher.js');
  const cases: Array<{ registry: string; realm: string; sent: boolean }> = [
    { registry: 'http://127.0.0.1:5000', realm: 'http://127.0.0.1:5001/token', sent: true },
    { registry: 'http://registry.lan:5000', realm: 'http://registry.lan/auth', sent: true },
    { registry: 'http://registry.lan:5000', realm: 'https://auth.example/token', sent: true },
    // A non-loopback registry naming a loopback port, another host, or a downgrade from https:
    { registry: 'https://registry.example', realm: 'http://127.0.0.1:5001/token', sent: false },
    { registry: 'http://registry.lan:5000', realm: 'http://127.0.0.1:5001/token', sent: false },
    { registry: 'http://localhost:5000', realm: 'http://127.0.0.1:5001/token', sent: false },
    { registry: 'https://127.0.0.1:5000', realm: 'http://127.0.0.1:5001/token', sent: false },
  ];
  for (const { registry, realm, sent } of cases) {
    let sentAuth = 'no request' as string | undefined; // set by the stub: its callback is invisible to narrowing
    const context = {
      registry: new URL(registry).host,
      registryUrl: () => new URL(registry),
      dispatcherFor: () =>
        ({
          request: async (opts: { headers?: Record<string, string> }) => {
            sentAuth = opts.headers?.authorization;
            throw Object.assign(new Error('stop'), { code: 'EPERM' });
          },
        }) as never,
      policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxTotalMs: 1 },
      allowInsecureRealm: false,
    };
    await assert.rejects(
      fetchToken(context, { realm, service: 'svc' }, ['repository:a:pull'], new Credentials('u', 'p')),
      (error: Error) => {
        if (!sent) {
          assert.equal(error.name, 'AuthError');
          assert.match(
            error.message,
            new RegExp(`credentials for user "u" were not sent to the token service ${realm.replace(/[.:/]/g, '\\$&')}: it is plain http`),
          );
        }
        return true;
      },
    );
    if (sent) assert.match(sentAuth ?? '', /^Basic /, `${registry} -> ${realm}: sent`);
    else assert.equal(sentAuth, 'no request', `${registry} -> ${realm}: nothing sent, not even without credentials`);
  }
});

test('a 401 says whether credentials were missing or which were rejected', async (t) => {
  const registry = await serve(t, (_req, res) => res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end());
  const request = { method: 'HEAD' as const, path: '/v2/a/manifests/v1', scopes: ['repository:a:pull'], expect: [200] };
  const cases: Array<[ConstructorParameters<typeof Transport>[1], string]> = [
    [
      fast,
      `${registry.host}: no credentials were configured for this registry, which asks for them (HEAD http://${registry.host}/v2/a/manifests/v1: 401 Unauthorized)`,
    ],
    [
      { ...fast, credentials: new Credentials('u', 'pw') },
      `${registry.host}: credentials for user "u" were rejected by this registry (HEAD http://${registry.host}/v2/a/manifests/v1: 401 Unauthorized)`,
    ],
    [
      { ...fast, staticToken: { token: 'tok' } },
      `${registry.host}: the token given for this registry was rejected (HEAD http://${registry.host}/v2/a/manifests/v1: 401 Unauthorized)`,
    ],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(new Transport(registry.host, options, { agents }).request(request), (e: Error) => {
      assert.equal(e.name, 'AuthError');
      assert.equal(e.message, message);
      return true;
    });
  }
});
