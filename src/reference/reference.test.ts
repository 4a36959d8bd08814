import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackHost, parseReference, parseRegistryHost } from './index.js';

const HEX = 'a'.repeat(64);

const good: Array<[string, string, string, string | undefined, string | undefined, string]> = [
  // input, registry, repository, tag, digest, familiar
  ['nginx', 'docker.io', 'library/nginx', undefined, undefined, 'nginx'],
  ['nginx:1.25', 'docker.io', 'library/nginx', '1.25', undefined, 'nginx:1.25'],
  ['docker.io/nginx:1.25', 'docker.io', 'library/nginx', '1.25', undefined, 'nginx:1.25'],
  ['index.docker.io/library/nginx', 'docker.io', 'library/nginx', undefined, undefined, 'nginx'],
  ['bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined, 'bitnami/redis:7'],
  ['quay.io/coreos/etcd:v3.5', 'quay.io', 'coreos/etcd', 'v3.5', undefined, 'quay.io/coreos/etcd:v3.5'],
  ['127.0.0.1:5001/library/app:v1', '127.0.0.1:5001', 'library/app', 'v1', undefined, '127.0.0.1:5001/library/app:v1'],
  ['localhost/app', 'localhost', 'app', undefined, undefined, 'localhost/app'],
  ['localhost:5000/a/b/c:latest', 'localhost:5000', 'a/b/c', 'latest', undefined, 'localhost:5000/a/b/c:latest'],
  ['[::1]:5000/app:v1', '[::1]:5000', 'app', 'v1', undefined, '[::1]:5000/app:v1'],
  [`ghcr.io/org/app@sha256:${HEX}`, 'ghcr.io', 'org/app', undefined, `sha256:${HEX}`, `ghcr.io/org/app@sha256:${HEX}`],
  [`nginx:1.25@sha256:${HEX}`, 'docker.io', 'library/nginx', '1.25', `sha256:${HEX}`, `nginx:1.25@sha256:${HEX}`],
  ['Registry.Example.COM/a_b/c__d/e-f/g--h.i:T_a-g.1', 'registry.example.com', 'a_b/c__d/e-f/g--h.i', 'T_a-g.1', undefined, 'registry.example.com/a_b/c__d/e-f/g--h.i:T_a-g.1'],
];

for (const [input, registry, repository, tag, digest, familiar] of good) {
  test(`parses ${input}`, () => {
    const ref = parseReference(input);
    assert.equal(ref.registry, registry);
    assert.equal(ref.repository, repository);
    assert.equal(ref.tag, tag);
    assert.equal(ref.digest, digest);
    assert.equal(ref.familiar(), familiar);
    assert.equal(parseReference(ref.toString()).toString(), ref.toString(), 'printing and parsing round-trips');
  });
}

const bad: Array<[string, RegExp]> = [
  ['', /invalid reference "": reference is empty/],
  ['Nginx', /path component "Nginx" must be lowercase/],
  ['quay.io/CoreOS/etcd', /path component "CoreOS" must be lowercase/],
  ['app:', /tag "" may contain only/],
  ['app:-bad', /tag "-bad" may contain only/],
  [`app:${'x'.repeat(129)}`, /tag is longer than 128 characters/],
  ['app@sha256:abc', /digest must look like sha256:<64 hex characters>/],
  [`app@sha256:${'A'.repeat(64)}`, /digest sha256 needs 64 lowercase hex characters/],
  ['127.0.0.1:99999/app', /registry host port must be 1-65535/],
  ['reg.example/a//b', /name has an empty path component/],
  ['reg.example/a/b_/c', /path component "b_" may contain only/],
  ['has space/app', /reference contains whitespace/],
  [`reg.example/${'a'.repeat(250)}`, /name is longer than 255 characters/],
];

for (const [input, message] of bad) {
  test(`rejects ${JSON.stringify(input.slice(0, 40))} naming the bad part`, () => {
    assert.throws(() => parseReference(input), (error: Error & { code?: string; part?: string }) => {
      assert.equal(error.code, 'INVALID_REFERENCE');
      assert.match(error.message, message);
      return true;
    });
  });
}

test('apiHost, identifier, scope and with* helpers', () => {
  const hub = parseReference('nginx');
  assert.equal(hub.apiHost, 'registry-1.docker.io');
  assert.equal(hub.identifier, 'latest');
  assert.equal(hub.scope('pull,push'), 'repository:library/nginx:pull,push');
  const local = parseReference('127.0.0.1:5000/app:v1');
  assert.equal(local.apiHost, '127.0.0.1:5000');
  assert.equal(local.withDigest(`sha256:${HEX}`).identifier, `sha256:${HEX}`);
  assert.equal(local.withTag('v2').toString(), '127.0.0.1:5000/app:v2');
  assert.equal(local.withRepository('mirror/app', '127.0.0.1:6000').toString(), '127.0.0.1:6000/mirror/app:v1');
  assert.throws(() => local.withTag('bad tag'), /tag/);
  assert.throws(() => local.withRepository('Mirror'), /must be lowercase/);
});

test('registry hosts and loopback detection', () => {
  assert.equal(parseRegistryHost('Registry-1.Docker.io'), 'docker.io');
  assert.equal(parseRegistryHost('my-registry.com:443'), 'my-registry.com:443');
  assert.throws(() => parseRegistryHost('https://reg.example'), /without scheme or path/);
  assert.throws(() => parseRegistryHost('bad_host.example'), /invalid host name/);
  assert.throws(() => parseRegistryHost(''), /is empty/);
  for (const host of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]:5000', '::1']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['10.0.0.1', 'example.com', 'localhost.example.com:5000', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
});
