import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Credentials } from '../../src/auth/credentials.js';
import { CopyEngine } from '../../src/copy/index.js';
import { RegistryClients } from '../../src/registry/index.js';
import {
  startFaultProxy,
  startHostileRegistry,
  startRegistry,
  type FaultProxy,
  type HostileRegistry,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { chaosFigures, within } from './chaos-kit.js';
import { startWitness, type Witness } from './witness-server.js';
import { listTags } from './verify-registry.js';

/*
 * A hostile source (the harness's hand-written registry, for content and answers the real one cannot
 * be made to serve) copied to a real target: a blob whose bytes do not match its digest, manifests whose
 * digest is not the one asked for, a 100 MB manifest, a tag listing whose Link header loops, token realms
 * on another host or scheme, a redirect to another host. Each is a clear, typed error (or, for the
 * redirect, a copy that never carries the credentials along); nothing corrupt lands at the target; and
 * a witness server standing for every other host records that no credential ever reached it.
 */

const figures = chaosFigures(import.meta.filename);
const USER = 'hostile-user';
const PASSWORD = 'hostile-source-pw-0b7d3f';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let fake: HostileRegistry;
let witness: Witness;
let target: TestRegistry;
let targetProxy: FaultProxy;

before(async () => {
  [fake, witness, target] = await Promise.all([startHostileRegistry(), startWitness(), startRegistry()]);
  targetProxy = await startFaultProxy(target);
});

after(async () => {
  const started = startedSoFar({ fake, witness, targetProxy, target });
  await Promise.all([started.fake?.close(), started.witness?.close(), started.targetProxy?.close()]);
  await started.target?.stop();
});

const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** An image whose config is honest; `layer` may be served as anything. */
function image(repository: string, seed: string, layer: { digest: string; size: number }): Buffer {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed }));
  const configDigest = fake.blob(repository, config);
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.digest, size: layer.size }],
    }),
  );
}

const sourceEndpoint = { credentials: new Credentials(USER, PASSWORD), retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 } };

async function copyFromFake(source: string, targetRepo: string): Promise<Error & { code?: string }> {
  const engine = new CopyEngine({ timeouts: { readMs: 10_000, responseMs: 10_000 } });
  try {
    const { value } = await within(
      60_000,
      `copy ${source}`,
      engine.copy({ source: `${fake.host}/${source}`, target: `${targetProxy.host}/${targetRepo}`, sourceEndpoint }).then(
        () => new Error('the copy succeeded'),
        (error: unknown) => error as Error & { code?: string },
      ),
    );
    return value;
  } finally {
    await engine.close();
  }
}

/** Nothing written to the target for this repository: no manifest, and the blob store has no such blob. */
async function assertNothingLanded(targetRepo: string, blobs: string[] = []): Promise<void> {
  const repository = targetRepo.split(':')[0] ?? '';
  assert.equal(
    targetProxy.requests.some((r) => r.method === 'PUT' && r.path.startsWith(`/v2/${repository}/manifests/`)),
    false,
    `no manifest PUT for ${repository}`,
  );
  assert.equal(
    (await listTags(target)).some((t) => t.startsWith(`${repository}:`)),
    false,
    `no tag in ${repository}`,
  );
  for (const digest of blobs) {
    const head = await fetch(`${target.url}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 404, `the target has no blob ${digest} in ${repository}`);
  }
}

/** No request to any other host carried the credentials (or any Authorization at all). */
function assertNoCredentialsElsewhere(): void {
  const carrying = witness.received.filter((r) => r.headers.authorization !== undefined || JSON.stringify(r).includes(PASSWORD));
  assert.deepEqual(carrying, [], 'a credential reached a host it was not given for');
}

test('a blob whose bytes do not match its digest: DIGEST_MISMATCH, and neither the blob nor a tag lands', async () => {
  const honest = Buffer.from('the layer the manifest names\n'.repeat(100));
  const lie = Buffer.from('other bytes of the same size!\n'.repeat(100)).subarray(0, honest.length);
  const digest = sha256(honest);
  fake.route(`/v2/evil/blob/blobs/${digest}`, {
    body: lie,
    headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': digest },
  });
  fake.manifest('evil/blob', 'v1', image('evil/blob', 'blob', { digest, size: honest.length }), OCI_MANIFEST);
  const error = await copyFromFake('evil/blob:v1', 'mirror/blob:v1');
  assert.equal(error.code, 'DIGEST_MISMATCH', String(error));
  assert.ok(error.message.includes(digest) && error.message.includes(fake.host), error.message);
  await assertNothingLanded('mirror/blob', [digest, sha256(lie)]);
  figures.hostileCases++;
});

test('a manifest asked for by digest that answers other bytes: DIGEST_MISMATCH, nothing lands', async () => {
  const served = image('evil/manifest', 'manifest', { digest: fake.blob('evil/manifest', Buffer.from('layer')), size: 5 });
  const asked = sha256('not these bytes');
  fake.route(`/v2/evil/manifest/manifests/${asked}`, {
    body: served,
    headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': asked },
  });
  const error = await copyFromFake(`evil/manifest@${asked}`, 'mirror/manifest:v1');
  assert.equal(error.code, 'DIGEST_MISMATCH', String(error));
  assert.ok(error.message.includes(asked), error.message);
  await assertNothingLanded('mirror/manifest');
  figures.hostileCases++;
});

test('a tag whose Docker-Content-Digest header lies about its bytes: DIGEST_MISMATCH, nothing lands', async () => {
  const served = image('evil/header', 'header', { digest: fake.blob('evil/header', Buffer.from('layer')), size: 5 });
  // HEAD and GET by tag name another digest; asked for by that digest, the fake serves the same bytes.
  fake.manifest('evil/header', 'v1', served, OCI_MANIFEST, { 'docker-content-digest': sha256('another manifest') });
  fake.route(`/v2/evil/header/manifests/${sha256('another manifest')}`, {
    body: served,
    headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': sha256('another manifest') },
  });
  const error = await copyFromFake('evil/header:v1', 'mirror/header:v1');
  assert.equal(error.code, 'DIGEST_MISMATCH', String(error));
  await assertNothingLanded('mirror/header');
  figures.hostileCases++;
});

test('a 100 MB manifest: MANIFEST_INVALID without reading it whole, and the process goes on', async () => {
  const before = process.memoryUsage().rss;
  const huge: Parameters<typeof fake.route>[1] = (req, res) => {
    res.writeHead(200, {
      'content-type': OCI_MANIFEST,
      'content-length': String(100 * 1024 * 1024),
      'docker-content-digest': sha256('huge'),
    });
    if (req.method === 'HEAD') return void res.end();
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const more = (): void => {
      while (sent < 100 && res.write(chunk)) sent++;
      if (sent >= 100) res.end();
      else res.once('drain', more);
    };
    res.on('close', () => res.removeAllListeners('drain'));
    more();
  };
  fake.route('/v2/evil/huge/manifests/v1', huge);
  fake.route(`/v2/evil/huge/manifests/${sha256('huge')}`, huge);
  const error = await copyFromFake('evil/huge:v1', 'mirror/huge:v1');
  assert.equal(error.code, 'MANIFEST_INVALID', String(error));
  assert.match(error.message, /larger than/);
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'the 100 MB were not held in memory');
  await assertNothingLanded('mirror/huge');
  figures.hostileCases++;
});

test('a tag listing whose Link header loops (to itself, and A -> B -> A): PAGINATION_LOOP, within a bound', async () => {
  fake.route('/v2/evil/loop/tags/list', {
    body: JSON.stringify({ name: 'evil/loop', tags: ['v1'] }),
    headers: { 'content-type': 'application/json', link: '</v2/evil/loop/tags/list>; rel="next"' },
  });
  fake.route('/v2/evil/cycle/tags/list', (req, res) => {
    const page = new URL(req.url ?? '/', 'http://x').searchParams.get('last') === 'a' ? 'b' : 'a';
    res.writeHead(200, { 'content-type': 'application/json', link: `</v2/evil/cycle/tags/list?n=1&last=${page}>; rel="next"` });
    res.end(JSON.stringify({ name: 'evil/cycle', tags: [page] }));
  });
  const clients = new RegistryClients();
  try {
    for (const repository of ['evil/loop', 'evil/cycle']) {
      const { value: error } = await within(
        30_000,
        `listing ${repository}`,
        clients
          .repository(fake.host, repository, 'pull', sourceEndpoint)
          .listTags()
          .then(
            () => new Error('listed') as Error & { code?: string },
            (e: unknown) => e as Error & { code?: string },
          ),
      );
      assert.equal(error.code, 'PAGINATION_LOOP', String(error));
      assert.ok(error.message.includes(fake.host), error.message);
      figures.hostileCases++;
    }
  } finally {
    await clients.close();
  }
});

/** A route of the fake that demands credentials (as a registry would) and challenges with `challenge`. */
const fakeAuthorizations: string[] = [];

function challenging(paths: string[], challenge: string, then: { body: Buffer; headers: Record<string, string> }): void {
  for (const path of paths)
    fake.route(path, (req, res) => {
      if (req.headers.authorization !== undefined) fakeAuthorizations.push(req.headers.authorization);
      if (req.headers.authorization === undefined) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': challenge });
        return void res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      }
      res.writeHead(200, { 'content-length': String(then.body.length), ...then.headers });
      res.end(req.method === 'HEAD' ? undefined : then.body);
    });
}

for (const [name, scheme, realm] of [
  ['plain http on another host', 'http', () => `http://localhost:${witness.port}/token`],
  ['another scheme (ftp)', 'ftp', () => `ftp://127.0.0.1:${witness.port}/token`],
  ['another scheme (file)', 'file', () => 'file:///etc/passwd'],
] as const) {
  test(`a token realm on ${name}: a clear auth error, and no credential leaves for it`, async () => {
    const repository = `evil/realm-${figures.hostileCases}`;
    const manifest = image(repository, name, { digest: fake.blob(repository, Buffer.from('layer')), size: 5 });
    challenging([`/v2/${repository}/manifests/v1`], `Bearer realm="${realm()}",service="evil",scope="repository:${repository}:pull"`, {
      body: manifest,
      headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': sha256(manifest) },
    });
    const error = await copyFromFake(`${repository}:v1`, `mirror/realm-${figures.hostileCases}:v1`);
    assert.ok(error.code === 'UNAUTHORIZED' || error.code === 'AUTH_REFUSED', `${error.code}: ${error.message}`);
    assert.match(
      error.message,
      scheme === 'http'
        ? /were not sent to the token service http:\/\/localhost:\d+\/token: it is plain http and not the registry's own plain-http host/
        : new RegExp(`token realm ${scheme}:\\/\\/\\S* is not an http or https URL: nothing was sent to it`),
    );
    assert.ok(error.message.includes(fake.host), error.message);
    assertNoCredentialsElsewhere();
    await assertNothingLanded(`mirror/realm-${figures.hostileCases}`);
    figures.hostileCases++;
  });
}

test('a blob redirect to another host: followed without the credentials the registry got, and the copy verifies what it got', async () => {
  const layer = Buffer.from('redirected layer bytes\n'.repeat(50));
  const digest = sha256(layer);
  witness.serve('/storage/layer', layer);
  const manifest = image('evil/redirect', 'redirect', { digest, size: layer.length });
  challenging(['/v2/evil/redirect/manifests/v1', `/v2/evil/redirect/manifests/${sha256(manifest)}`], 'Basic realm="evil"', {
    body: manifest,
    headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': sha256(manifest) },
  });
  fake.route(`/v2/evil/redirect/blobs/${digest}`, (req, res) => {
    // Once to another host name for the fake's own address and port, once to another port.
    if (req.headers.authorization !== undefined) fakeAuthorizations.push(req.headers.authorization);
    const location =
      req.headers.authorization === undefined
        ? `http://localhost:${witness.port}/storage/layer`
        : `http://127.0.0.1:${witness.port}/storage/layer`;
    res.writeHead(307, { location });
    res.end();
  });
  const before = witness.received.length;
  const engine = new CopyEngine();
  try {
    const result = await engine.copy({
      source: `${fake.host}/evil/redirect:v1`,
      target: `${targetProxy.host}/mirror/redirect:v1`,
      sourceEndpoint,
    });
    assert.equal(result.digest, sha256(manifest));
  } finally {
    await engine.close();
  }
  assert.ok(witness.received.length > before, 'the redirect was followed');
  assert.ok(fake.requests.length > 0);
  assertNoCredentialsElsewhere();
  figures.hostileCases++;
});

test('the fake itself only ever got the credentials given for it', () => {
  assert.ok(fakeAuthorizations.length > 0, 'the fake challenged and got credentials');
  assert.deepEqual([...new Set(fakeAuthorizations)], [BASIC]);
});
