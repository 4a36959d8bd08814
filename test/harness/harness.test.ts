import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { ociImage } from './self-test-fixtures.js';
import { pushImage, skopeoInspectRaw, startRegistry, TOKEN_SERVICE, type TestRegistry } from './index.js';
import { startedSoFar } from './started-so-far.js';

/** Self-tests for the registry variants and the token issuer, against the real registry. */
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') {
  const res = await request(url, { method, headers });
  await res.body.dump();
  return res;
}

describe('plain registry', () => {
  let registry: TestRegistry;
  after(() => startedSoFar({ registry }).registry?.stop());

  test('answers /v2/ with 200, survives kill and restart with its storage', async () => {
    registry = await startRegistry();
    assert.match(registry.host, /^127\.0\.0\.1:\d+$/);
    assert.equal((await get(`${registry.url}/v2/`)).statusCode, 200);
    const built = await pushImage(ociImage, registry, 'keep/app:v1');
    await registry.kill();
    await assert.rejects(get(`${registry.url}/v2/`));
    await registry.start();
    assert.equal((await skopeoInspectRaw(`${registry.host}/keep/app:v1`, registry)).digest, built.digest);
  });
});

describe('htpasswd registry', () => {
  let registry: TestRegistry;
  after(() => startedSoFar({ registry }).registry?.stop());

  test('challenges with Basic, accepts the right password, refuses a wrong one', async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    assert.equal(registry.username, 'tester');
    assert.match(registry.password ?? '', /^pw-[0-9a-f]{16}$/);
    const anonymous = await get(`${registry.url}/v2/`);
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="picture-book-test"');
    assert.equal((await get(`${registry.url}/v2/`, { authorization: basic('tester', registry.password ?? '') })).statusCode, 200);
    assert.equal((await get(`${registry.url}/v2/`, { authorization: basic('tester', 'wrong') })).statusCode, 401);
  });

  test('skopeo errors never show the password', async () => {
    const error = await skopeoInspectRaw(`${registry.host}/missing/app:v1`, registry).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error);
    assert.equal(error.message.includes(registry.password ?? '?'), false);
    assert.match(error.message, /\*\*\*/);
  });
});

describe('token registry', () => {
  let registry: TestRegistry;
  after(() => startedSoFar({ registry }).registry?.stop());

  test('challenges with Bearer pointing at our issuer', async () => {
    registry = await startRegistry({ auth: 'token' });
    const issuer = registry.tokenIssuer;
    assert.ok(issuer);
    const res = await get(`${registry.url}/v2/`);
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], `Bearer realm="${issuer.realm}",service="${TOKEN_SERVICE}"`);
  });

  test('a push-scoped token from the issuer is accepted; an anonymous one is not', async () => {
    const { tokenIssuer: issuer, password } = registry;
    assert.ok(issuer && password);
    const scope = 'repository:tok/app:pull,push';
    const url = `${issuer.realm}?service=${TOKEN_SERVICE}&scope=${encodeURIComponent(scope)}`;
    const granted = (await (await request(url, { headers: { authorization: basic('tester', password) } })).body.json()) as Record<
      string,
      unknown
    >;
    assert.equal(granted.expires_in, 300);
    assert.equal(granted.token, granted.access_token);
    const upload = await get(`${registry.url}/v2/tok/app/blobs/uploads/`, { authorization: `Bearer ${String(granted.token)}` }, 'POST');
    assert.equal(upload.statusCode, 202);
    const anonymous = (await (await request(url)).body.json()) as { token: string };
    const refused = await get(`${registry.url}/v2/tok/app/blobs/uploads/`, { authorization: `Bearer ${anonymous.token}` }, 'POST');
    assert.equal(refused.statusCode, 401);
    assert.deepEqual(
      issuer.requests.slice(-2).map((r) => [r.method, r.user, r.scopes, r.status]),
      [
        ['GET', 'tester', [scope], 200],
        ['GET', 'anonymous', [scope], 200],
      ],
    );
  });

  test('wrong password: 401 from the issuer, and the password is never recorded', async () => {
    const { tokenIssuer: issuer, password } = registry;
    assert.ok(issuer && password);
    const res = await get(`${issuer.realm}?service=${TOKEN_SERVICE}&scope=repository:x:pull`, { authorization: basic('tester', 'nope') });
    assert.equal(res.statusCode, 401);
    assert.equal(issuer.requests.at(-1)?.status, 401);
    assert.equal(JSON.stringify(issuer.requests).includes(password), false);
  });

  test('OAuth2 POST form, pull-only ACL, and skopeo pushing through token auth', async () => {
    const { tokenIssuer: issuer, password } = registry;
    assert.ok(issuer && password);
    issuer.pullOnly = ['ro/app'];
    const form = new URLSearchParams({
      grant_type: 'password',
      username: 'tester',
      password,
      service: TOKEN_SERVICE,
      scope: 'repository:ro/app:pull,push',
    });
    const res = await request(issuer.realm, {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const { access_token: token } = (await res.body.json()) as { access_token: string };
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { access: unknown; aud: unknown };
    assert.deepEqual(payload.access, [{ type: 'repository', name: 'ro/app', actions: ['pull'] }]);
    assert.equal(payload.aud, TOKEN_SERVICE);
    await assert.rejects(pushImage(ociImage, registry, 'ro/app:v1'));
    issuer.pullOnly = [];
    const built = await pushImage(ociImage, registry, 'ro/app:v1');
    assert.equal((await skopeoInspectRaw(`${registry.host}/ro/app:v1`, registry)).digest, built.digest);
  });
});

describe('TLS registry', () => {
  let registry: TestRegistry;
  after(() => startedSoFar({ registry }).registry?.stop());

  test('serves https with a self-signed cert trusted through caFile only', async () => {
    registry = await startRegistry({ tls: true });
    assert.ok(registry.url.startsWith('https://'));
    assert.ok(registry.caFile);
    const ca = await readFile(registry.caFile);
    const trusted = await request(`${registry.url}/v2/`, { dispatcher: new Agent({ connect: { ca } }) });
    await trusted.body.dump();
    assert.equal(trusted.statusCode, 200);
    await assert.rejects(request(`${registry.url}/v2/`), /self-signed|certificate/i);
    assert.equal((await pushImage(ociImage, registry, 'tls/app:v1')).mediaType, 'application/vnd.oci.image.manifest.v1+json');
  });
});

describe('readonly registry', () => {
  let registry: TestRegistry;
  after(() => startedSoFar({ registry }).registry?.stop());

  test('refuses writes with 405', async () => {
    registry = await startRegistry({ readonly: true });
    assert.equal((await get(`${registry.url}/v2/ro/app/blobs/uploads/`, {}, 'POST')).statusCode, 405);
  });
});
