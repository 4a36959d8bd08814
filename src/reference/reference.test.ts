import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidReferenceError } from '../errors/index.js';
import { DOCKER_HUB, DOCKER_HUB_API_HOST, parseReference } from './index.js';

const D = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

test('Docker Hub constants', () => {
  assert.equal(DOCKER_HUB, 'docker.io');
  assert.equal(DOCKER_HUB_API_HOST, 'registry-1.docker.io');
});

test('apiHost: Docker Hub is served from registry-1.docker.io, others from their own name', () => {
  assert.equal(parseReference('nginx').apiHost, 'registry-1.docker.io');
  assert.equal(parseReference('registry-1.docker.io/library/nginx').apiHost, 'registry-1.docker.io');
  assert.equal(parseReference('quay.io/a/b').apiHost, 'quay.io');
  assert.equal(parseReference('127.0.0.1:5000/app').apiHost, '127.0.0.1:5000');
});

test('name and identifier: digest wins over tag, no tag means latest', () => {
  const hub = parseReference('nginx');
  assert.equal(hub.name, 'docker.io/library/nginx');
  assert.equal(hub.tag, undefined);
  assert.equal(hub.identifier, 'latest');
  assert.equal(hub.toString(), 'docker.io/library/nginx', 'an absent tag is not printed as latest');
  assert.equal(parseReference('nginx:1.25').identifier, '1.25');
  assert.equal(parseReference(`nginx:1.25@${D}`).identifier, D);
  assert.equal(parseReference(`nginx@${D}`).identifier, D);
});

test('scope() names the repository without the registry', () => {
  assert.equal(parseReference('nginx').scope('pull'), 'repository:library/nginx:pull');
  assert.equal(parseReference('localhost:5000/a/b:v1').scope('pull,push'), 'repository:a/b:pull,push');
});

test('withTag sets the tag and drops the digest', () => {
  const pinned = parseReference(`quay.io/a/b:v1@${D}`);
  const retagged = pinned.withTag('v2');
  assert.equal(retagged.tag, 'v2');
  assert.equal(retagged.digest, undefined);
  assert.equal(retagged.toString(), 'quay.io/a/b:v2');
  assert.equal(pinned.toString(), `quay.io/a/b:v1@${D}`, 'the original is unchanged');
  assert.throws(
    () => pinned.withTag('bad tag'),
    (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError);
      assert.equal(error.part, 'tag');
      assert.equal(error.input, 'quay.io/a/b:bad tag');
      return true;
    },
  );
  assert.throws(() => pinned.withTag(''), /tag is empty/);
});

test('withDigest keeps the tag and replaces any digest', () => {
  const ref = parseReference('127.0.0.1:5000/app:v1');
  const pinned = ref.withDigest(D);
  assert.equal(pinned.toString(), `127.0.0.1:5000/app:v1@${D}`);
  assert.equal(pinned.identifier, D);
  assert.equal(pinned.withDigest(D2).digest, D2);
  assert.equal(parseReference('nginx').withDigest(D).familiar(), `nginx@${D}`);
  assert.throws(
    () => ref.withDigest('sha256:abc'),
    (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError);
      assert.equal(error.part, 'digest');
      assert.equal(
        error.message,
        'invalid reference "127.0.0.1:5000/app@sha256:abc": digest must look like sha256:<64 lowercase hex characters>',
      );
      return true;
    },
  );
});

test('withRepository keeps tag and digest, validates and normalises', () => {
  const ref = parseReference(`127.0.0.1:5000/app:v1@${D}`);
  assert.equal(ref.withRepository('mirror/app').toString(), `127.0.0.1:5000/mirror/app:v1@${D}`);
  assert.equal(ref.withRepository('mirror/app', 'Mirror.Example:6000').toString(), `mirror.example:6000/mirror/app:v1@${D}`);
  // Hub aliases normalise and single components get library/, as parseReference does.
  const hub = parseReference('quay.io/x/redis:7').withRepository('redis', 'index.docker.io');
  assert.equal(hub.registry, 'docker.io');
  assert.equal(hub.repository, 'library/redis');
  assert.equal(hub.familiar(), 'redis:7');
  assert.throws(
    () => ref.withRepository('Mirror'),
    /invalid reference "127.0.0.1:5000\/Mirror": path component "Mirror" must be lowercase/,
  );
  assert.throws(() => ref.withRepository('a//b'), /name has an empty path component/);
  assert.throws(
    () => ref.withRepository('app', 'https://reg.example'),
    (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError);
      assert.equal(error.part, 'registry host');
      return true;
    },
  );
  assert.throws(() => ref.withRepository('a'.repeat(250)), /name is longer than 255 characters/);
});

test('references are immutable', () => {
  const ref = parseReference('nginx:1');
  assert.throws(() => {
    (ref as { tag: string | undefined }).tag = '2';
  }, TypeError);
  assert.equal(ref.tag, '1');
});

test('familiar() matches docker for Hub user repos, official images and other registries', () => {
  assert.equal(parseReference('docker.io/library/nginx:1.25').familiar(), 'nginx:1.25');
  assert.equal(parseReference('docker.io/bitnami/redis').familiar(), 'bitnami/redis');
  assert.equal(parseReference('quay.io/library/nginx').familiar(), 'quay.io/library/nginx');
  assert.equal(parseReference('localhost/library/nginx').familiar(), 'localhost/library/nginx');
});
