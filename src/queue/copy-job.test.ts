import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Credentials } from '../auth/credentials.js';
import { loadConfig } from '../config/index.js';
import { PictureBookError } from '../errors/index.js';
import { jobData, taskOf } from './copy-job.js';
import { canonicalJson, deduplicationId, endpointsFingerprint } from './job-id.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-copy-job-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const CONFIG = `registries:
  - hostname: mirror.example:5000
    repository: team
    pushAuthConfig: pusher:push-secret-1
    pullAuthConfig: puller:pull-secret-2
    images: [quay.io/coreos/etcd:v3.5]
sources:
  quay.io:
    auth: quay-user:quay-secret-3
`;

test('a copy job carries plain data and no credential; the worker resolves the endpoints from its own config', async () => {
  const file = join(dir, 'config.yaml');
  await writeFile(file, CONFIG);
  const { config } = await loadConfig(file, {});
  const task = {
    source: 'quay.io/coreos/etcd:v3.5',
    target: 'mirror.example:5000/team/coreos/etcd:v3.5',
    platforms: ['linux/amd64'],
    sourceEndpoint: { credentials: new Credentials('quay-user', 'quay-secret-3') },
    targetEndpoint: { credentials: new Credentials('pusher', 'push-secret-1') },
  };
  const data = jobData('mirror.example:5000', task);
  assert.deepEqual(data, {
    registry: 'mirror.example:5000',
    source: 'quay.io/coreos/etcd:v3.5',
    target: 'mirror.example:5000/team/coreos/etcd:v3.5',
    platforms: ['linux/amd64'],
  });
  assert.doesNotMatch(JSON.stringify(data), /secret/);

  const resolved = taskOf(data, config);
  assert.deepEqual(
    [resolved.sourceEndpoint?.credentials, resolved.targetEndpoint?.credentials].map((c) => [c?.username, c?.password]),
    [
      ['quay-user', 'quay-secret-3'],
      ['pusher', 'push-secret-1'],
    ],
    "the source's own auth (sources:) and the entry's push auth",
  );
  assert.throws(
    () => taskOf({ ...data, registry: 'other.example' }, config),
    (error: unknown) =>
      error instanceof PictureBookError &&
      error.code === 'QUEUE' &&
      error.message.includes('"other.example"') &&
      error.message.includes(file),
  );
});

test('the de-duplication id is the same for the same copy, whatever the order of its platforms, and differs otherwise', () => {
  const base = { registry: 'r', source: 's/a:1', target: 't/a:1' };
  assert.equal(
    deduplicationId({ ...base, platforms: ['linux/amd64', 'linux/arm64'] }),
    deduplicationId({ ...base, platforms: ['linux/arm64', 'linux/amd64'] }),
  );
  assert.notEqual(deduplicationId(base), deduplicationId({ ...base, target: 't/a:2' }));
  assert.notEqual(deduplicationId(base), deduplicationId({ ...base, force: true }));
});

test('a copy carrying its endpoints: the same endpoints are one job, other credentials another; the fingerprint is keyed and quotes nothing', () => {
  const key = Buffer.alloc(32, 7);
  const request = (password: string) => ({
    source: { endpoint: 'http://s.example/v2', image: 'a', ref: '1' },
    targets: [{ endpoint: 'http://t.example/v2', auth: { basicauth: { user: 'pusher', password } } }],
  });
  const job = (password: string, jobKey = key) => ({
    registry: 'distribute',
    source: 's.example/a:1',
    target: 't.example/a:1',
    fingerprint: endpointsFingerprint(jobKey, request(password)),
  });
  assert.equal(deduplicationId(job('first-Secret')), deduplicationId(job('first-Secret')));
  assert.notEqual(deduplicationId(job('first-Secret')), deduplicationId(job('second-Secret')));
  const fingerprint = job('first-Secret').fingerprint;
  assert.match(fingerprint, /^[0-9a-f]{64}$/);
  assert.notEqual(fingerprint, job('first-Secret', Buffer.alloc(32, 8)).fingerprint, 'another queue key, another fingerprint');
});

test('one request with its keys in another order, at any depth, is one job; arrays keep their order', () => {
  const key = Buffer.alloc(32, 7);
  const request = {
    source: { endpoint: 'http://s.example/v2', image: 'a', ref: '1', auth: { basicauth: { user: 'reader', password: 'r-Secret' } } },
    targets: [{ endpoint: 'http://t.example/v2', auth: { basicauth: { user: 'pusher', password: 'p-Secret' } } }],
    platforms: ['linux/amd64', 'linux/arm64'],
  };
  const reordered = {
    platforms: ['linux/amd64', 'linux/arm64'],
    targets: [{ auth: { basicauth: { password: 'p-Secret', user: 'pusher' } }, endpoint: 'http://t.example/v2' }],
    source: { auth: { basicauth: { password: 'r-Secret', user: 'reader' } }, ref: '1', image: 'a', endpoint: 'http://s.example/v2' },
  };
  assert.notEqual(JSON.stringify(request), JSON.stringify(reordered), 'the two texts differ as parsed');
  assert.equal(endpointsFingerprint(key, reordered), endpointsFingerprint(key, request));
  assert.equal(endpointsFingerprint(undefined, reordered), endpointsFingerprint(undefined, request));
  const job = (endpoints: unknown) => ({
    registry: 'distribute',
    source: 's',
    target: 't',
    fingerprint: endpointsFingerprint(key, endpoints),
  });
  assert.equal(deduplicationId(job(reordered)), deduplicationId(job(request)));
  const swapped = { ...request, platforms: ['linux/arm64', 'linux/amd64'] };
  assert.notEqual(endpointsFingerprint(key, swapped), endpointsFingerprint(key, request), 'an array in another order is another request');
  assert.equal(canonicalJson({ b: [{ d: 1, c: null }], a: undefined }), '{"b":[{"c":null,"d":1}]}');
});
