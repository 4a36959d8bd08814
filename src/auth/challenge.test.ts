import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWwwAuthenticate } from './challenge.js';

test('bearer challenge with quoted commas, followed by a basic challenge', () => {
  const header = 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x y"';
  assert.deepEqual(parseWwwAuthenticate(header), [
    { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    { scheme: 'basic', params: { realm: 'x y' } },
  ]);
});

test('tolerant of spacing, case, unquoted values and escapes', () => {
  assert.deepEqual(parseWwwAuthenticate('basic  Realm = "with \\"quote\\""'), [{ scheme: 'basic', params: { realm: 'with "quote"' } }]);
  assert.deepEqual(parseWwwAuthenticate('Bearer realm=http://127.0.0.1:1/t ,service=svc,error="insufficient_scope"'), [
    { scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/t', service: 'svc', error: 'insufficient_scope' } },
  ]);
});

test('token68 and bare schemes', () => {
  assert.deepEqual(parseWwwAuthenticate('Negotiate abc123==, Basic'), [
    { scheme: 'negotiate', params: { token68: 'abc123==' } },
    { scheme: 'basic', params: {} },
  ]);
  assert.deepEqual(parseWwwAuthenticate(''), []);
});
