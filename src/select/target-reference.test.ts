import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReference } from '../reference/index.js';
import { targetReference } from './target-reference.js';

const HEX = 'b'.repeat(64);
const cases: Array<[string, string, string]> = [
  ['quay.io/coreos/etcd:v3.5', 'test-images', 'my-registry.com/test-images/coreos/etcd:v3.5'],
  ['nginx:1.25', 'test-images', 'my-registry.com/test-images/nginx:1.25'],
  ['docker.io/bitnami/redis:7', 'test-images', 'my-registry.com/test-images/bitnami/redis:7'],
  ['nginx', 'test-images', 'my-registry.com/test-images/nginx:latest'],
  ['127.0.0.1:5001/test-images/app:v1', 'test-images', 'my-registry.com/test-images/app:v1'],
  ['127.0.0.1:5001/app:v1', '', 'my-registry.com/app:v1'],
  ['127.0.0.1:5001/app:v1', '/nested/prefix/', 'my-registry.com/nested/prefix/app:v1'],
  [`ghcr.io/org/app@sha256:${HEX}`, 'm', `my-registry.com/m/org/app@sha256:${HEX}`],
  [`ghcr.io/org/app:v2@sha256:${HEX}`, 'm', `my-registry.com/m/org/app:v2@sha256:${HEX}`],
];

for (const [source, repository, expected] of cases) {
  test(`${source} with repository "${repository}" -> ${expected}`, () => {
    assert.equal(targetReference(parseReference(source), 'my-registry.com', repository).toString(), expected);
  });
}
