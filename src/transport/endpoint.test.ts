import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemePlan } from './endpoint.js';

test('insecure is plain http with nothing tried first; loopback probes https then http; others https only', () => {
  assert.deepEqual(schemePlan('build-cache.lan:5000', { insecure: true }), { first: 'http://build-cache.lan:5000', fallback: undefined });
  assert.deepEqual(schemePlan('127.0.0.1:5000', { insecure: true }), { first: 'http://127.0.0.1:5000', fallback: undefined });
  assert.deepEqual(schemePlan('127.0.0.1:5000'), { first: 'https://127.0.0.1:5000', fallback: 'http://127.0.0.1:5000' });
  assert.deepEqual(schemePlan('registry.example'), { first: 'https://registry.example', fallback: undefined });
  assert.deepEqual(schemePlan('registry.example', { scheme: 'http' }), { first: 'http://registry.example', fallback: undefined });
  assert.deepEqual(schemePlan('docker.io'), { first: 'https://registry-1.docker.io', fallback: undefined });
});
