import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWwwAuthenticate } from './challenge.js';

// Whole headers and every challenge they hold, in order.
const wholeHeaders: Array<{ name: string; header: string; challenges: unknown[] }> = [
  {
    name: 'bearer challenge with quoted commas, followed by a basic challenge',
    header: 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x y"',
    challenges: [
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
      { scheme: 'basic', params: { realm: 'x y' } },
    ],
  },
  {
    name: "Docker Hub's challenge",
    header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    challenges: [
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
      },
    ],
  },
  {
    name: 'RFC 7235 example: escapes in quoted strings and unquoted values',
    header: 'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
    challenges: [
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ],
  },
];
for (const { name, header, challenges } of wholeHeaders) test(name, () => assert.deepEqual(parseWwwAuthenticate(header), challenges));

test('insufficient_scope with several space-separated scopes', () => {
  const header = 'Bearer realm="https://r/t",service="r",scope="repository:a:pull repository:b:pull,push",error="insufficient_scope"';
  const [challenge] = parseWwwAuthenticate(header);
  assert.equal(challenge?.params.scope, 'repository:a:pull repository:b:pull,push');
  assert.equal(challenge.params.error, 'insufficient_scope');
});

test('tolerant of spacing, case, unquoted values and escapes', () => {
  assert.deepEqual(parseWwwAuthenticate('basic  Realm = "with \\"quote\\""'), [{ scheme: 'basic', params: { realm: 'with "quote"' } }]);
  assert.deepEqual(parseWwwAuthenticate('  BEARER   realm=http://127.0.0.1:1/t ,  service=svc ,error="insufficient_scope"  '), [
    { scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/t', service: 'svc', error: 'insufficient_scope' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Basic realm="back\\\\slash", charset="UTF-8"'), [
    { scheme: 'basic', params: { realm: 'back\\slash', charset: 'UTF-8' } },
  ]);
});

test('quoted values containing what looks like another challenge stay one value', () => {
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="a, Basic realm=b", service=""'), [
    { scheme: 'bearer', params: { realm: 'a, Basic realm=b', service: '' } },
  ]);
});

test('token68, bare schemes, empty list elements and empty headers', () => {
  assert.deepEqual(parseWwwAuthenticate('Negotiate abc123==, Basic'), [
    { scheme: 'negotiate', params: { token68: 'abc123==' } },
    { scheme: 'basic', params: {} },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Basic, , Bearer realm="r"'), [
    { scheme: 'basic', params: {} },
    { scheme: 'bearer', params: { realm: 'r' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate(''), []);
  assert.deepEqual(parseWwwAuthenticate('   '), []);
});
