import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { useConfigDir } from './config-test-kit.js';
import { DEFAULT_TIMEOUTS, resolveTimeouts, timeoutsFromSettings } from '../transport/timeouts.js';

const configDir = useConfigDir('pb-timeouts-');

const REGISTRY = 'registries:\n  - hostname: reg.example\n    images: [nginx:1.25]\n';

const load = async (yaml: string) => (await configDir.load(yaml)).result;

test('without a timeouts block the documented defaults apply, the same as the transport’s', async () => {
  const { config } = await load(REGISTRY);
  assert.deepEqual(config.timeouts, {
    connectSeconds: 10,
    responseSeconds: 120,
    readSeconds: 60,
    blobMinBytes: 65536,
    blobIntervalSeconds: 30,
  });
  assert.deepEqual(resolveTimeouts(timeoutsFromSettings(config.timeouts)), DEFAULT_TIMEOUTS);
});

test('timeouts: each key is read, in seconds (fractions allowed), and reaches the engine in milliseconds', async () => {
  const { config } = await load(
    `${REGISTRY}timeouts:\n  connectSeconds: 2.5\n  readSeconds: 15\n  blobMinBytes: 0\n  blobIntervalSeconds: 90\n`,
  );
  assert.deepEqual(resolveTimeouts(timeoutsFromSettings(config.timeouts)), {
    connectMs: 2500,
    responseMs: 120_000,
    readMs: 15_000,
    blobMinBytes: 0,
    blobIntervalMs: 90_000,
  });
});

test('bad timeouts are config problems with their key path', async () => {
  await assert.rejects(load(`${REGISTRY}timeouts:\n  readSeconds: 0\n  blobMinBytes: 1.5\n  readsecond: 3\n`), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    const paths = error.problems.map((p) => p.path);
    assert.ok(paths.includes('timeouts.readSeconds'), paths.join());
    assert.ok(paths.includes('timeouts.blobMinBytes'), paths.join());
    assert.ok(
      error.problems.some((p) => p.message.includes('readsecond') || p.path.includes('readsecond')),
      error.message,
    );
    return true;
  });
});
