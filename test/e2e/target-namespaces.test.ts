import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  startedSoFar,
  type FaultProxy,
  type TestRegistry,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { tags, workDir } from './image-syncer-kit.js';
import { runCli, tempDir } from './load-harness.js';

/*
 * config.yaml's `targets:`: push credentials per target host/namespace, the longest key covering a
 * repository winning, against a real htpasswd registry with two users; a proxy in front of it
 * records which credentials each repository's requests carried.
 */

const BOB = { username: 'bob', password: 'bob-secret-pw' };

let source: TestRegistry;
let target: TestRegistry;
let proxy: FaultProxy;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd', username: 'alice', moreUsers: [BOB] })]);
  proxy = await startFaultProxy(target);
  dir = await tempDir('pb-target-namespaces-');
  await pushImage(ociImage, source, 'team/app:v1');
});

after(async () => {
  const started = startedSoFar({ source, target, proxy });
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The user of each repository's requests that carried credentials, by repository path. */
function usersByRepository(): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>();
  for (const request of proxy.requests) {
    const repository = /^\/v2\/(.+?)\/(?:blobs|manifests)\//.exec(request.path)?.[1];
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!repository || !basic) continue;
    const user = Buffer.from(basic, 'base64').toString('utf8').split(':')[0] ?? '';
    users.set(repository, (users.get(repository) ?? new Set()).add(user));
  }
  return users;
}

test('targets: each namespace pushes with its own user (longest key by whole path components); other repositories with pushAuthConfig', async () => {
  const config = `registries:
  - hostname: '${proxy.host}'
    pushAuthConfig: 'nobody:wrong'
    mirrors:
      - {source: '${source.host}/team/app:v1', target: 'team-a/app'}
      - {source: '${source.host}/team/app:v1', target: 'team-b/app'}
      - {source: '${source.host}/team/app:v1', target: 'team-a/deep/app'}
      - {source: '${source.host}/team/app:v1', target: 'team-ab/app'}
targets:
  '${proxy.host}/team-a': {auth: 'alice:\${ALICE_PW}'}
  '${proxy.host}/team-b': {auth: '\${BOB_USER}:\${BOB_PW}'}
  '${proxy.host}/team-a/deep': {auth: '\${BOB_USER}:\${BOB_PW}'}
`;
  const work = await workDir(dir, 'load', { 'config.yaml': config });
  const env = { ALICE_PW: target.password ?? '', BOB_USER: BOB.username, BOB_PW: BOB.password };
  const result = await runCli(['load', '--config', 'config.yaml', '--all'], env, work);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const output = result.stdout + result.stderr;
  assert.match(output, new RegExp(`${proxy.host}/team-ab/app:v1`), 'team-ab is under no targets key: pushAuthConfig, refused');
  for (const secret of [target.password ?? '', BOB.password]) assert.ok(!output.includes(secret), 'no password in the output');

  const users = usersByRepository();
  assert.deepEqual(
    ['team-a/app', 'team-b/app', 'team-a/deep/app', 'team-ab/app'].map((r) => [r, [...(users.get(r) ?? [])]]),
    [
      ['team-a/app', ['alice']],
      ['team-b/app', ['bob']],
      ['team-a/deep/app', ['bob']],
      ['team-ab/app', ['nobody']],
    ],
  );
  const copied = await skopeoInspectRaw(`${source.host}/team/app:v1`, source);
  for (const repository of ['team-a/app', 'team-b/app', 'team-a/deep/app']) {
    assert.deepEqual(await tags(target, repository), ['v1'], repository);
    assert.equal((await skopeoInspectRaw(`${target.host}/${repository}:v1`, target)).digest, copied.digest, repository);
  }
  assert.deepEqual(await tags(target, 'team-ab/app'), [], 'nothing pushed with the wrong credentials');
});
