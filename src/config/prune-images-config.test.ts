import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { loadConfig } from './index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-prune-images-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
async function load(yaml: string) {
  const file = join(dir, `config-${++counter}.yaml`);
  await writeFile(file, yaml);
  return (await loadConfig(file, {})).config;
}

/** The problems of a config expected to be refused, as `line:col path: message`. */
async function problems(yaml: string): Promise<string[]> {
  try {
    await load(yaml);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  }
  assert.fail('the config was accepted');
}

const entry = (pruneImages: string, images = "images: ['quay.io/coreos/etcd:v3.5.0']") => `registries:
  - hostname: mirror.example:5000
    repository: mirror
    ${images}
    pruneImages: ${pruneImages}
`;

test('pruneImages: true gets the default guards; a mapping sets them; false or absent prunes nothing', async () => {
  assert.deepEqual((await load(entry('true'))).registries[0]?.pruneImages, { graceRuns: 2, maxFraction: 0.1, maxCount: undefined });
  assert.deepEqual((await load(entry('{graceRuns: 3, maxFraction: 0.5, maxCount: 4}'))).registries[0]?.pruneImages, {
    graceRuns: 3,
    maxFraction: 0.5,
    maxCount: 4,
  });
  assert.equal((await load(entry('false'))).registries[0]?.pruneImages, undefined);
});

test('a bad pruneImages is refused at its key, and one with nothing to prune says why', async () => {
  assert.deepEqual(await problems(entry('{maxFraction: 2}')), [
    '5:32 registries[0].pruneImages.maxFraction: must be between 0 and 1 (0.1 is 10%): got 2',
  ]);
  assert.deepEqual(await problems(entry('{graceRuns: 0}')), [
    '5:30 registries[0].pruneImages.graceRuns: must be a whole number, at least 1: got 0',
  ]);
  assert.deepEqual(await problems(entry('{grace: 2}')), [
    '5:19 registries[0].pruneImages.grace: unknown key "grace" (did you mean "graceRuns"?)',
  ]);
  assert.deepEqual(await problems(entry('true', "mirrors: [{source: 'quay.io/coreos/etcd'}]")), [
    '5:18 registries[0].pruneImages: prunes what the images: list or the syncerScript wrote, but this entry has neither (a mirrors: rule prunes with its own prune:)',
  ]);
});
