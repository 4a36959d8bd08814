import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useConfigDir } from './config-test-kit.js';

const config = useConfigDir('pb-prune-images-config-');
const load = async (yaml: string) => (await (await config.load(yaml)).result).config;
const { problems } = config;

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
