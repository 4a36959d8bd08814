import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { Credentials } from '../../src/auth/credentials.js';
import { CopyEngine } from '../../src/copy/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  TOKEN_SERVICE,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';

/*
 * Tokens that stop working mid-run (a 401 on a request after the token worked): refreshed once and
 * the request sent again, for blob streams too. The real registry with its token issuer refuses a
 * token once `acceptedFor` has passed, while the token reply told picture-book it had 300 s.
 */

let source: TestRegistry;
let target: TestRegistry;
let front: FaultProxy;
let first: BuiltImage;
let second: BuiltImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry({ auth: 'token', token: { acceptedFor: 2 } })]);
  front = await startFaultProxy(target);
  first = await pushImage(dockerImage, source, 'expiry/first:v1');
  second = await pushImage(ociImage, source, 'expiry/second:v1');
});

after(async () => {
  const started = startedSoFar({ source, target, front });
  await started.front?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

/** Waits until the registry refuses `token` (polled: the registry decides, not a clock of ours). */
async function untilRefused(token: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await request(`${target.url}/v2/`, { headers: { authorization: `Bearer ${token}` } });
    await answer.body.dump();
    if (answer.statusCode === 401) return;
    if (Date.now() > deadline) throw new Error('the registry still accepts the token after 15 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a token the registry stops accepting mid-run is fetched again, and the next copy goes on', async (t) => {
  const engine = new CopyEngine();
  t.after(() => engine.close());
  const issuer = target.tokenIssuer;
  assert.ok(issuer);
  const targetEndpoint = { credentials: new Credentials(target.username ?? '', target.password ?? '') };
  await engine.copy({ source: `${source.host}/expiry/first:v1`, target: `${front.host}/expiry/app:v1`, targetEndpoint });
  const issued = issuer.issued.length;
  const last = issuer.issued.at(-1);
  assert.ok(last);
  await untilRefused(last.token);
  front.clearRequests();
  const result = await engine.copy({ source: `${source.host}/expiry/second:v1`, target: `${front.host}/expiry/app:v2`, targetEndpoint });
  assert.equal(result.digest, second.digest);
  assert.ok(
    front.requests.some((r) => r.status === 401),
    'the old token was refused',
  );
  assert.ok(issuer.issued.length > issued, 'a new token was fetched');
  assert.equal((await skopeoInspectRaw(`${target.host}/expiry/app:v2`, target)).digest, second.digest);
});

test('a 401 on a blob upload stream (the token gone while the body was sent) refreshes the token and sends the blob again', async (t) => {
  const engine = new CopyEngine();
  t.after(() => engine.close());
  t.after(() => front.clearFaults());
  const targetEndpoint = { credentials: new Credentials(target.username ?? '', target.password ?? '') };
  const issuer = target.tokenIssuer;
  assert.ok(issuer);
  // The registry cannot be made to refuse a token between an upload's POST and its PUT: the proxy does, as it would.
  front.addFault({
    method: 'PUT',
    pathPattern: /\/blobs\/uploads\//,
    times: 1,
    action: {
      kind: 'status',
      status: 401,
      headers: {
        'www-authenticate': `Bearer realm="${issuer.realm}",service="${TOKEN_SERVICE}",scope="repository:expiry/stream:pull,push"`,
      },
      body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
    },
  });
  front.clearRequests();
  const issued = issuer.issued.length;
  const result = await engine.copy({ source: `${source.host}/expiry/first:v1`, target: `${front.host}/expiry/stream:v1`, targetEndpoint });
  assert.equal(result.digest, first.digest);
  const refused = front.requests.filter((r) => r.status === 401 && r.method === 'PUT');
  // The injected 401 comes first. On a loaded machine the registry may also refuse a token that
  // really lapsed (it accepts each for 2 s): every refusal must be answered by a new token.
  assert.ok(refused.length >= 1, 'the upload was refused');
  for (const refusal of refused)
    assert.ok(
      issuer.issued.slice(issued).some((i) => i.at >= refusal.at),
      `a token was fetched after the upload refused at ${refusal.at}`,
    );
  assert.equal((await skopeoInspectRaw(`${target.host}/expiry/stream:v1`, target)).digest, first.digest);
});
