import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyTask } from '../../src/copy/index.js';
import { parseManifest, RegistryClients } from '../../src/registry/index.js';
import { compileRule, planSelection, registryLister, type PlannedImage } from '../../src/select/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  skopeoListTags,
  startRegistry,
  type BuiltImage,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { ociIndex } from './fixtures.js';

let source: TestRegistry;
let target: TestRegistry;
let engine: CopyEngine;
let built: BuiltImage;
const clients = new RegistryClients();

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  for (const tag of ['v1.0.0', 'v1.1.0', 'edge']) built = await pushImage(ociIndex, source, `multi/app:${tag}`);
  engine = new CopyEngine();
});

after(async () => {
  const started = startedSoFar({ engine, source, target });
  await started.engine?.close();
  await clients.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

/** A planned image is a copy task as it stands: no field is renamed on the way. */
const task = (image: PlannedImage): CopyTask => image;

test('a rule with platforms and force: the plan feeds the engine as is, and the target holds what the rule asked for', async () => {
  const rule = compileRule(
    { source: `${source.host}/multi/app`, tags: { semver: '>=1' }, target: 'apps/app', platforms: ['linux/arm64'], force: true },
    'mirrors[0]',
  );
  const plan = await planSelection([rule], { lister: registryLister(clients), target: { hostname: target.host, repository: 'm' } });
  assert.deepEqual(plan.problems, []);
  assert.deepEqual(
    plan.images.map((i) => i.target),
    [`${target.host}/m/apps/app:v1.0.0`, `${target.host}/m/apps/app:v1.1.0`],
  );
  const first = await Promise.all(plan.images.map((image) => engine.copy(task(image))));
  assert.deepEqual(
    first.map((r) => r.status),
    ['copied', 'copied'],
  );
  assert.deepEqual((await skopeoListTags(`${target.host}/m/apps/app`, target)).sort(), ['v1.0.0', 'v1.1.0']);
  const served = await skopeoInspectRaw(`${target.host}/m/apps/app:v1.1.0`, target);
  assert.equal(parseManifest(served.raw, undefined).kind, 'image', 'one platform: the image itself, not the index');
  assert.ok(
    built.children?.some((c) => c.digest === served.digest),
    'the linux/arm64 child of the source index',
  );
  // force: a second run copies again although the target is up to date.
  const again = await Promise.all(plan.images.map((image) => engine.copy(task(image))));
  assert.deepEqual(
    again.map((r) => r.status),
    ['copied', 'copied'],
  );
  // Without force the same images are up to date.
  const unforced = await Promise.all(plan.images.map((image) => engine.copy({ ...task(image), force: false })));
  assert.deepEqual(
    unforced.map((r) => r.status),
    ['skipped', 'skipped'],
  );
});
