import assert from 'node:assert/strict';
import { test } from 'node:test';
import { platformsOf } from './platforms.js';

test('--os and --arch: each OS with each architecture; one flag alone leaves the other open; neither, every platform', () => {
  assert.deepEqual(platformsOf(['linux', 'windows'], ['amd64', 'arm64']), ['linux/amd64', 'linux/arm64', 'windows/amd64', 'windows/arm64']);
  assert.deepEqual(platformsOf([], ['arm64']), ['*/arm64']);
  assert.deepEqual(platformsOf(['linux'], []), ['linux/*']);
  assert.equal(platformsOf([], []), undefined);
});
