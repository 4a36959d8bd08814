import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReference } from '../reference/index.js';
import { mapTarget } from './target-mapping.js';

const D = `sha256:${'c'.repeat(64)}`;
const place = { hostname: 'mirror.example:5000', repository: 'test-images' };

test('without a rename the target is as for images: (prefix + source path, tag kept)', () => {
  assert.equal(
    mapTarget(parseReference('quay.io/coreos/etcd:v3.5.0'), place).toString(),
    'mirror.example:5000/test-images/coreos/etcd:v3.5.0',
  );
  assert.equal(mapTarget(parseReference('nginx:1.25'), place).toString(), 'mirror.example:5000/test-images/nginx:1.25');
  assert.equal(mapTarget(parseReference(`ghcr.io/org/app@${D}`), place).toString(), `mirror.example:5000/test-images/org/app@${D}`);
});

test('a rename replaces the source path, keeps the prefix and the tag or digest', () => {
  assert.equal(
    mapTarget(parseReference('quay.io/coreos/etcd:v3.5.0'), place, 'tools/etcd').toString(),
    'mirror.example:5000/test-images/tools/etcd:v3.5.0',
  );
  assert.equal(
    mapTarget(parseReference('nginx:1.25'), place, 'web').toString(),
    'mirror.example:5000/test-images/web:1.25',
    'no library/ on a Hub source renamed',
  );
  assert.equal(
    mapTarget(parseReference(`ghcr.io/org/app@${D}`), place, 'apps/app').toString(),
    `mirror.example:5000/test-images/apps/app@${D}`,
  );
  assert.equal(mapTarget(parseReference('quay.io/coreos/etcd:v1'), { hostname: 'm', repository: '' }, 'etcd').toString(), 'm/etcd:v1');
});
