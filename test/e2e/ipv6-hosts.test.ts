import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { dockerImage } from './fixtures.js';
import { runCli } from './load-harness.js';

/*
 * IPv6 literal hosts (`[::1]:PORT/repo:tag`) in references, flags and config.yaml, against a real
 * registry listening on [::1] only. skopeo cannot name such a host (containers/skopeo#631), so the
 * image goes 127.0.0.1 -> [::1] -> 127.0.0.1, and skopeo checks the end of the chain.
 */

let v4: TestRegistry;
let v6: TestRegistry;
let built: BuiltImage;
let dir: string;

before(async () => {
  [v4, v6] = await Promise.all([startRegistry(), startRegistry({ ipv6: true, auth: 'htpasswd' })]);
  built = await pushImage(dockerImage, v4, 'v4/app:v1');
  dir = await mkdtemp(join(tmpdir(), 'pb-ipv6-'));
});

after(async () => {
  const started = startedSoFar({ v4, v6 });
  await Promise.all([started.v4?.stop(), started.v6?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('copy to a registry on [::1], named in the reference, credentials given by flag', async () => {
  assert.match(v6.host, /^\[::1\]:\d+$/);
  const result = await runCli(['copy', `${v4.host}/v4/app:v1`, `${v6.host}/v6/app:v1`, '--dest-creds', `${v6.username}:${v6.password}`]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^copied ${v4.host}/v4/app:v1 -> ${v6.host.replace(/[[\]]/g, '\\$&')}/v6/app:v1`, 'm'));
  const answer = await request(`${v6.url}/v2/v6/app/manifests/v1`, {
    method: 'HEAD',
    headers: {
      authorization: `Basic ${Buffer.from(`${v6.username}:${v6.password}`).toString('base64')}`,
      accept: 'application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  await answer.body.dump();
  assert.equal(answer.headers['docker-content-digest'], built.digest);
});

test('load from a registry on [::1], named in images and as a sources key with its auth', async () => {
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      'registries:',
      `  - hostname: '${v4.host}'`,
      `    repository: loaded`,
      `    images: ['${v6.host}/v6/app:v1']`,
      'sources:',
      `  '${v6.host}': {insecure: true, auth: '${v6.username}:${v6.password}'}`,
      '',
    ].join('\n'),
  );
  const result = await runCli(['load', '--config', config, '--all', '--log-format', 'json']);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.equal((await skopeoInspectRaw(`${v4.host}/loaded/v6/app:v1`, v4)).digest, built.digest);
});
