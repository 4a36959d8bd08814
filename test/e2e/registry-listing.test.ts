import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Credentials } from '../../src/auth/credentials.js';
import { RegistryClients } from '../../src/registry/index.js';
import { pushImage, startFaultProxy, startRegistry, type FaultProxy, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociImage } from './fixtures.js';

let plain: TestRegistry;
let token: TestRegistry;
let proxy: FaultProxy;
const clients = new RegistryClients();

before(async () => {
  [plain, token] = await Promise.all([startRegistry(), startRegistry({ auth: 'token' })]);
  proxy = await startFaultProxy(plain);
  await Promise.all(['a/one', 'b/two', 'c/three', 'd/four', 'e/five'].map((repo) => pushImage(ociImage, plain, `${repo}:v1`)));
  await Promise.all(['v1', 'v2', 'v3'].map((tag) => pushImage(ociImage, plain, `tagged/app:${tag}`)));
  await pushImage(ociImage, token, 'secured/app:v1');
});

after(async () => {
  const started = startedSoFar({ proxy, plain, token });
  await clients.close();
  await started.proxy?.close();
  await Promise.all([started.plain?.stop(), started.token?.stop()]);
});

test('catalog follows Link pagination to the end (relative Link on distribution 2.8)', async () => {
  const repos = await clients.catalog(proxy.host, undefined, 2);
  assert.deepEqual(repos, ['a/one', 'b/two', 'c/three', 'd/four', 'e/five', 'tagged/app']);
  assert.equal(proxy.count('GET', /\/v2\/_catalog/), 3, 'three pages of two');
});

test('tags of a repository', async () => {
  const tags = await clients.repository(plain.host, 'tagged/app', 'pull').listTags();
  assert.deepEqual([...tags].sort(), ['v1', 'v2', 'v3']);
});

test('catalog and tags behind token auth: the registry:catalog:* scope is requested', async () => {
  const endpoint = { credentials: new Credentials(token.username ?? '', token.password ?? '') };
  assert.deepEqual(await clients.catalog(token.host, endpoint), ['secured/app']);
  assert.deepEqual(await clients.repository(token.host, 'secured/app', 'pull', endpoint).listTags(), ['v1']);
  assert.ok(token.tokenIssuer?.requests.some((r) => r.scopes.includes('registry:catalog:*')));
});
