import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FIXTURE_ROOT } from '../test/harness/fixture-cache.js';
import { makeTempDir } from '../test/harness/procs.js';
import { skopeoCopyToLayout, skopeoInspectRaw, skopeoListTags, startRegistry, type TestRegistry } from '../test/harness/index.js';
import { restoreSeededStorage } from './seeded-storage.js';
import { seedTagName, TagSeeder } from './tag-seed.js';
import { startedSoFar } from '../test/harness/started-so-far.js';

// The benchmark's fast seeding (many tags over plain HTTP): what it writes is what the registry lists,
// and every image is complete (skopeo pulls it, checking every blob).
let registry: TestRegistry;
let seeder: TagSeeder;

before(async () => {
  registry = await startRegistry();
  seeder = new TagSeeder(registry.url);
});

after(async () => {
  const started = startedSoFar({ seeder, registry });
  await started.seeder?.close();
  await started.registry?.stop();
});

test('N tags in one repository: skopeo lists exactly them, each a distinct image with the digest the seeder reports', async () => {
  let progress = 0;
  const digests = await seeder.seedRepository('seed/app', 60, { onProgress: (done) => (progress = done) });
  const names = Array.from({ length: 60 }, (_, i) => seedTagName(i));
  assert.equal(progress, 60);
  assert.deepEqual([...digests.keys()], names);
  assert.deepEqual((await skopeoListTags(`${registry.host}/seed/app`, registry)).sort(), [...names].sort());
  assert.equal(new Set(digests.values()).size, 60, 'every tag its own image');
  for (const tag of ['1.0.0', '1.0.49', '1.1.9']) {
    assert.equal((await skopeoInspectRaw(`${registry.host}/seed/app:${tag}`, registry)).digest, digests.get(tag), tag);
  }
});

test('many repositories: the first pushes the layers, the others mount them; every image pulls whole', async () => {
  const names = ['many/r0', 'many/r1', 'many/r2', 'many/r3'];
  await seeder.seedRepositories(names, 3, 2);
  for (const name of names)
    assert.deepEqual((await skopeoListTags(`${registry.host}/${name}`, registry)).sort(), ['1.0.0', '1.0.1', '1.0.2']);
  const dir = await makeTempDir('tag-seed');
  await skopeoCopyToLayout(`${registry.host}/many/r3:1.0.1`, registry, join(dir, 'r3'));
});

test('seeded storage is kept once and restored into another real registry, which serves the same tags and digests', async (t) => {
  const key = `tag-seed-test-${process.pid}-${Date.now()}`;
  let seeded = 0;
  let digests = new Map<string, string>();
  const seed = async (scratch: TestRegistry): Promise<void> => {
    seeded++;
    const scratchSeeder = new TagSeeder(scratch.url);
    try {
      digests = await scratchSeeder.seedRepository('kept/app', 5);
    } finally {
      await scratchSeeder.close();
    }
  };
  // A key of its own (so it seeds here), removed afterwards.
  t.after(() => rm(join(FIXTURE_ROOT, 'bench-storage', key), { recursive: true, force: true }));
  const [first, second] = await Promise.all([startRegistry(), startRegistry()]);
  t.after(() => Promise.all([first.stop(), second.stop()]));
  await restoreSeededStorage(first, key, seed);
  await restoreSeededStorage(second, key, seed);
  assert.equal(seeded, 1, 'seeded once, restored twice');
  for (const registry of [first, second]) {
    assert.deepEqual((await skopeoListTags(`${registry.host}/kept/app`, registry)).sort(), ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4']);
    assert.equal((await skopeoInspectRaw(`${registry.host}/kept/app:1.0.3`, registry)).digest, digests.get('1.0.3'));
  }
  // Restored storage is a registry's own: it takes new pushes beside the restored tags.
  const more = new TagSeeder(second.url);
  t.after(() => more.close());
  await more.seedRepository('more/app', 1);
  assert.deepEqual(await skopeoListTags(`${second.host}/more/app`, second), ['1.0.0']);
});
