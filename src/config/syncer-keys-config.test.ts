import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useConfigDir } from './config-test-kit.js';

/* What config.yaml gained for image-syncer users: tag lists, tag renames, retries, namespace-keyed sources. */

const config = useConfigDir('pb-syncer-keys-');
const load = async (yaml: string) => (await (await config.load(yaml)).result).config;
const { problems } = config;

test('images: takes repo:v1,v2; mirrors: a target renaming named tags; retries; sources: keyed by host/namespace', async () => {
  const ok = await load(`registries:
  - hostname: mirror.example:5000
    images: ['quay.io/coreos/etcd:v3.5.0,v3.5.1']
    mirrors:
      - {source: 'quay.io/coreos/etcd:v1,v2', target: 'tools/etcd:one,two'}
    retries: 2
sources:
  quay.io: {auth: 'a:b'}
  Quay.io/coreos/: {insecure: true}
`);
  const [registry] = ok.registries;
  assert.ok(registry);
  assert.deepEqual(registry.images, ['quay.io/coreos/etcd:v3.5.0,v3.5.1']);
  assert.equal(registry.retries, 2);
  assert.deepEqual([...(ok.sources?.keys() ?? [])], ['quay.io', 'quay.io/coreos']);
  assert.equal(ok.sources?.get('quay.io/coreos')?.insecure, true);
});

test('bad tag lists, renames, retries and namespace keys are refused at their key', async () => {
  assert.deepEqual(
    await problems(`registries:
  - hostname: mirror.example:5000
    images: ['quay.io/coreos/etcd:v1,,v2']
    mirrors:
      - {source: 'quay.io/coreos/etcd:v1,v2', target: 'tools/etcd:one'}
    retries: -1
sources:
  quay.io/CoreOS: {insecure: true}
  quay.io/coreos: {}
  QUAY.io/coreos/: {}
`),
    [
      '3:14 registries[0].images[0]: invalid reference "quay.io/coreos/etcd:v1,,v2": tag is empty',
      '5:55 registries[0].mirrors[0].target: "tools/etcd:one" has 1 tag but the source names 2 (v1,v2): each source tag needs one new name, in order',
      '6:14 registries[0].retries: must be at least 0, got number -1',
      '8:3 sources["quay.io/CoreOS"]: invalid reference "quay.io/CoreOS": path component "CoreOS" must be lowercase',
      '10:3 sources["QUAY.io/coreos/"]: duplicate source "quay.io/coreos" (already listed as "quay.io/coreos")',
    ],
  );
});

test('targets: push credentials by host/namespace, longest match; a key of no registry, a duplicate or an unknown key refused at its place', async () => {
  const ok = await load(`registries:
  - hostname: mirror.example:5000
    pushAuthConfig: 'host-user:pw'
    mirrors:
      - {source: 'quay.io/coreos/etcd', missingPlatforms: skip, platforms: ['linux/*']}
targets:
  mirror.example:5000/team-a: {auth: 'alice:a-pw'}
  mirror.example:5000/team-a/deep/: {auth: 'deep:d-pw'}
`);
  const [registry] = ok.registries;
  assert.ok(registry);
  assert.deepEqual([...(registry.targets?.keys() ?? [])], ['mirror.example:5000/team-a', 'mirror.example:5000/team-a/deep']);
  const auth = registry.targets?.get('mirror.example:5000/team-a')?.auth;
  assert.equal(auth?.kind === 'userpass' ? auth.credentials.username : undefined, 'alice');
  assert.deepEqual(registry.mirrors?.[0]?.missingPlatforms, 'skip');
  assert.deepEqual(
    await problems(`registries:
  - hostname: mirror.example:5000
    images: ['alpine:3']
targets:
  elsewhere.example/team: {auth: 'a:b'}
  mirror.example:5000/team: {auth: 'a:b'}
  Mirror.Example:5000/team/: {auth: 'a:b'}
  mirror.example:5000/x: {auth: 'a:b', insecure: true}
`),
    [
      '5:3 targets["elsewhere.example/team"]: no registries entry has hostname "elsewhere.example" ("mirror.example:5000"): these push credentials would never be used',
      '7:3 targets["Mirror.Example:5000/team/"]: duplicate target "mirror.example:5000/team" (already listed as "mirror.example:5000/team")',
      '8:40 targets["mirror.example:5000/x"].insecure: unknown key "insecure"',
    ],
  );
});
