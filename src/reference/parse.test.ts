import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidReferenceError } from '../errors/index.js';
import { parseReference } from './index.js';

const HEX = 'a'.repeat(64);
const D = `sha256:${HEX}`;

interface Good {
  input: string;
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** Canonical toString(); defaults to registry/repository[:tag][@digest]. */
  familiar: string;
}

const good: Good[] = [
  { input: 'nginx', registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx' },
  { input: 'nginx:1.25', registry: 'docker.io', repository: 'library/nginx', tag: '1.25', familiar: 'nginx:1.25' },
  { input: 'docker.io/nginx:1.25', registry: 'docker.io', repository: 'library/nginx', tag: '1.25', familiar: 'nginx:1.25' },
  { input: 'docker.io/library/nginx', registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx' },
  { input: 'index.docker.io/library/nginx', registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx' },
  { input: 'registry-1.docker.io/nginx', registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx' },
  { input: 'Index.Docker.IO/bitnami/redis', registry: 'docker.io', repository: 'bitnami/redis', familiar: 'bitnami/redis' },
  { input: 'bitnami/redis:7', registry: 'docker.io', repository: 'bitnami/redis', tag: '7', familiar: 'bitnami/redis:7' },
  // Only a Hub path of exactly two components loses its 'library/'.
  { input: 'library/a/b', registry: 'docker.io', repository: 'library/a/b', familiar: 'library/a/b' },
  { input: 'quay.io/coreos/etcd:v3.5', registry: 'quay.io', repository: 'coreos/etcd', tag: 'v3.5', familiar: 'quay.io/coreos/etcd:v3.5' },
  // Non-Hub registries never get 'library/'.
  { input: 'quay.io/etcd', registry: 'quay.io', repository: 'etcd', familiar: 'quay.io/etcd' },
  {
    input: '127.0.0.1:5001/library/app:v1',
    registry: '127.0.0.1:5001',
    repository: 'library/app',
    tag: 'v1',
    familiar: '127.0.0.1:5001/library/app:v1',
  },
  { input: 'localhost/app', registry: 'localhost', repository: 'app', familiar: 'localhost/app' },
  {
    input: 'localhost:5000/a/b/c:latest',
    registry: 'localhost:5000',
    repository: 'a/b/c',
    tag: 'latest',
    familiar: 'localhost:5000/a/b/c:latest',
  },
  // Without a '/' a 'host:port' is a Hub name with a tag, exactly as Docker reads it.
  { input: 'localhost:5000', registry: 'docker.io', repository: 'library/localhost', tag: '5000', familiar: 'localhost:5000' },
  { input: 'myhost:5000/app', registry: 'myhost:5000', repository: 'app', familiar: 'myhost:5000/app' },
  { input: '[::1]:5000/app:v1', registry: '[::1]:5000', repository: 'app', tag: 'v1', familiar: '[::1]:5000/app:v1' },
  { input: '[2001:DB8::1]/app', registry: '[2001:db8::1]', repository: 'app', familiar: '[2001:db8::1]/app' },
  { input: `ghcr.io/org/app@${D}`, registry: 'ghcr.io', repository: 'org/app', digest: D, familiar: `ghcr.io/org/app@${D}` },
  { input: `nginx:1.25@${D}`, registry: 'docker.io', repository: 'library/nginx', tag: '1.25', digest: D, familiar: `nginx:1.25@${D}` },
  { input: `nginx@${D}`, registry: 'docker.io', repository: 'library/nginx', digest: D, familiar: `nginx@${D}` },
  {
    input: `localhost:5000/app@sha512:${'b'.repeat(128)}`,
    registry: 'localhost:5000',
    repository: 'app',
    digest: `sha512:${'b'.repeat(128)}`,
    familiar: `localhost:5000/app@sha512:${'b'.repeat(128)}`,
  },
  {
    input: 'Registry.Example.COM/a_b/c__d/e-f/g--h.i/j---k:T_a-g.1',
    registry: 'registry.example.com',
    repository: 'a_b/c__d/e-f/g--h.i/j---k',
    tag: 'T_a-g.1',
    familiar: 'registry.example.com/a_b/c__d/e-f/g--h.i/j---k:T_a-g.1',
  },
  {
    input: 'reg.example/app:_underscore_first',
    registry: 'reg.example',
    repository: 'app',
    tag: '_underscore_first',
    familiar: 'reg.example/app:_underscore_first',
  },
  {
    input: `reg.example/app:${'x'.repeat(128)}`,
    registry: 'reg.example',
    repository: 'app',
    tag: 'x'.repeat(128),
    familiar: `reg.example/app:${'x'.repeat(128)}`,
  },
  { input: 'a.b-c.example:443/x', registry: 'a.b-c.example:443', repository: 'x', familiar: 'a.b-c.example:443/x' },
  // Exactly 255 characters of name is allowed.
  {
    input: `reg.example/${'a'.repeat(243)}`,
    registry: 'reg.example',
    repository: 'a'.repeat(243),
    familiar: `reg.example/${'a'.repeat(243)}`,
  },
  // 63 hex characters is a fine name; only exactly 64 looks like an image ID.
  { input: 'a'.repeat(63), registry: 'docker.io', repository: `library/${'a'.repeat(63)}`, familiar: 'a'.repeat(63) },
];

for (const g of good) {
  test(`parses ${g.input.slice(0, 60)}`, () => {
    const ref = parseReference(g.input);
    assert.deepEqual(
      { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest },
      { registry: g.registry, repository: g.repository, tag: g.tag, digest: g.digest },
    );
    assert.equal(ref.familiar(), g.familiar);
    const canonical = `${g.registry}/${g.repository}${g.tag !== undefined ? `:${g.tag}` : ''}${g.digest !== undefined ? `@${g.digest}` : ''}`;
    assert.equal(ref.toString(), canonical);
    assert.equal(parseReference(ref.toString()).toString(), canonical, 'toString() parses back to itself');
    assert.equal(parseReference(ref.familiar()).toString(), canonical, 'familiar() parses back to the same reference');
  });
}

const sha256Hint = 'must look like sha256:<64 lowercase hex characters>';
const componentHint = 'may contain only lowercase letters and digits, separated by ".", "_", "__" or "-"';
const tagHint = 'may contain only letters, digits, "_", "." and "-", and must not start with "." or "-"';

// [input, part, exact reason]
const bad: Array<[string, string, string]> = [
  ['', 'reference', 'is empty'],
  [' nginx', 'reference', 'contains whitespace'],
  ['has space/app', 'reference', 'contains whitespace'],
  ['Nginx', 'path component "Nginx"', 'must be lowercase'],
  ['quay.io/CoreOS/etcd', 'path component "CoreOS"', 'must be lowercase'],
  // Unlike Go's splitDockerDomain, an uppercase first component is not taken for a host.
  ['Foo/bar', 'path component "Foo"', 'must be lowercase'],
  ['reg.example/a/b_/c', 'path component "b_"', componentHint],
  ['reg.example/_a', 'path component "_a"', componentHint],
  ['reg.example/a___b', 'path component "a___b"', componentHint],
  ['reg.example/a.-b', 'path component "a.-b"', componentHint],
  ['reg.example/a..b', 'path component "a..b"', componentHint],
  ['reg.example/app!', 'path component "app!"', componentHint],
  ['app:tag:more', 'path component "app:tag"', componentHint],
  ['reg.example/a//b', 'name', 'has an empty path component'],
  ['/app', 'name', 'has an empty path component'],
  ['reg.example/', 'name', 'has no repository path'],
  [`reg.example/${'a'.repeat(244)}`, 'name', 'is longer than 255 characters'],
  [HEX, 'name', 'cannot be a 64-character hexadecimal string (that looks like an image ID)'],
  ['app:', 'tag', 'is empty'],
  ['app:-bad', 'tag', `"-bad" ${tagHint}`],
  ['app:.bad', 'tag', `".bad" ${tagHint}`],
  ['app:b+d', 'tag', `"b+d" ${tagHint}`],
  [`app:${'x'.repeat(129)}`, 'tag', 'is longer than 128 characters'],
  ['app@sha256:abc', 'digest', sha256Hint],
  ['app@', 'digest', sha256Hint],
  ['app@sha256', 'digest', sha256Hint],
  [`app@${HEX}`, 'digest', sha256Hint],
  [`app@sha256:${'A'.repeat(64)}`, 'digest', 'sha256 needs 64 lowercase hex characters'],
  [`app@sha256:${'a'.repeat(65)}`, 'digest', 'sha256 needs 64 lowercase hex characters'],
  [`app@sha512:${HEX}`, 'digest', 'sha512 needs 128 lowercase hex characters'],
  [`app@SHA256:${HEX}`, 'digest', sha256Hint],
  [`app@sha256:${HEX}@sha256:${HEX}`, 'digest', sha256Hint],
  ['127.0.0.1:99999/app', 'registry host', 'port must be 1-65535'],
  ['localhost:0/app', 'registry host', 'port must be 1-65535'],
  ['localhost:http/app', 'registry host', 'port must be 1-65535'],
  ['-bad.example/app', 'registry host', 'has an invalid host name "-bad.example"'],
  ['bad_host.example/app', 'registry host', 'has an invalid host name "bad_host.example"'],
  ['a..b/app', 'registry host', 'has an invalid host name "a..b"'],
  ['[::1/app', 'registry host', 'has an invalid IPv6 address (write it in brackets, e.g. [::1]:5000)'],
  ['[fe80::1%25eth0]:5000/app', 'registry host', 'has an invalid IPv6 address (write it in brackets, e.g. [::1]:5000)'],
  ['[::1]x/app', 'registry host', 'port must be 1-65535'],
];

for (const [input, part, reason] of bad) {
  test(`rejects ${JSON.stringify(input.slice(0, 50))}: ${part} ${reason.slice(0, 40)}`, () => {
    assert.throws(
      () => parseReference(input),
      (error: unknown) => {
        assert.ok(error instanceof InvalidReferenceError);
        assert.equal(error.code, 'INVALID_REFERENCE');
        assert.equal(error.part, part);
        assert.equal(error.input, input);
        assert.equal(error.message, `invalid reference "${input}": ${part} ${reason}`);
        return true;
      },
    );
  });
}

const useCreds = 'do not belong in a reference: use --src-creds/--dest-creds (copy) or pullAuthConfig/pushAuthConfig (config.yaml)';

// Credentials and schemes are named for what they are, and the password never appears.
// [input, password, quoted input, part, exact reason]
const urlLike: Array<[string, string, string, string, string]> = [
  [
    'https://tester:Pw1@127.0.0.1:5000/library/app:v1',
    'Pw1',
    'https://tester:***@127.0.0.1:5000/library/app:v1',
    'credentials',
    `${useCreds}, and drop "https://"`,
  ],
  ['tester:Pw1@127.0.0.1:5000/library/app:v1', 'Pw1', 'tester:***@127.0.0.1:5000/library/app:v1', 'credentials', useCreds],
  ['tester:Pw1@127.0.0.1:5000', 'Pw1', 'tester:***@127.0.0.1:5000', 'credentials', useCreds],
  ['http://u:p@ss/w0rd@reg.example/app', 'p@ss/w0rd', 'http://u:***@reg.example/app', 'credentials', `${useCreds}, and drop "http://"`],
  ['u:s3cr@t@reg.example/app', 's3cr@t', 'u:***@reg.example/app', 'credentials', useCreds],
  [
    `oci://u:Secret9@reg.example/app@sha256:${HEX}`,
    'Secret9',
    `oci://u:***@reg.example/app@sha256:${HEX}`,
    'credentials',
    `${useCreds}, and drop "oci://"`,
  ],
  ['https://ghp_T0ken@reg.example/app', 'ghp_T0ken', 'https://***@reg.example/app', 'credentials', `${useCreds}, and drop "https://"`],
  ['ghp_T0ken@reg.example/app', 'ghp_T0ken', '***@reg.example/app', 'credentials', useCreds],
  ['tok3n@reg.example', 'tok3n', '***@reg.example', 'credentials', useCreds],
  [
    'https://127.0.0.1:5000/library/app:v1',
    '',
    'https://127.0.0.1:5000/library/app:v1',
    'scheme "https://"',
    'does not belong in a reference: drop it',
  ],
  ['HTTP://reg.example/app', '', 'HTTP://reg.example/app', 'scheme "HTTP://"', 'does not belong in a reference: drop it'],
];

for (const [input, password, shown, part, reason] of urlLike) {
  test(`rejects ${shown}: ${part}`, () => {
    assert.throws(
      () => parseReference(input),
      (error: unknown) => {
        assert.ok(error instanceof InvalidReferenceError);
        assert.equal(error.part, part);
        assert.equal(error.input, shown);
        assert.equal(error.message, `invalid reference "${shown}": ${part} ${reason}`);
        if (password) assert.equal(error.message.includes(password), false, 'the password is quoted');
        return true;
      },
    );
  });
}

test('the @ of name@digest is not taken for credentials, even when the digest is wrong', () => {
  for (const [input, reason] of [
    [`app:v1@sha256:abc`, sha256Hint],
    ['app:v1@SHA256:abc', sha256Hint],
    ['app@sha256', sha256Hint],
    [`reg.example:5000/app:v1@junk`, sha256Hint],
  ]) {
    assert.throws(
      () => parseReference(input ?? ''),
      (error: unknown) => {
        assert.ok(error instanceof InvalidReferenceError);
        assert.equal(error.message, `invalid reference "${input}": digest ${reason}`);
        return true;
      },
    );
  }
});
