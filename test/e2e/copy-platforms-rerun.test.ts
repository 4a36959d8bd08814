import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  startedSoFar,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
} from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';

// A platform filter that keeps every platform of an index (or matches a single-platform image)
// writes the source manifest as it is. The no-change check cannot compare a filtered image (HEADs
// cannot tell what the filter writes), so the copy must compare once the filter is applied: a
// second run finds it there, reports it up to date, and sends no manifest PUT.

let source: TestRegistry;
let target: TestRegistry;
let proxy: FaultProxy;
let index: BuiltImage;
let single: BuiltImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(target);
  index = await pushImage(ociIndex, source, 'multi/app:v1');
  single = await pushImage(ociImage, source, 'single/app:v1');
});

after(async () => {
  const started = startedSoFar({ proxy, source, target });
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

const manifestPuts = (repository: string): number => proxy.count('PUT', new RegExp(`^/v2/${repository}/manifests/`));

/** Copies with a fresh engine (nothing remembered between runs), collecting the events. */
async function copyOnce(task: Parameters<CopyEngine['copy']>[0]): Promise<{ status: string; events: CopyEvent[] }> {
  const engine = new CopyEngine();
  const events: CopyEvent[] = [];
  try {
    const result = await engine.copy(task, { onEvent: (e) => events.push(e) });
    return { status: result.status, events };
  } finally {
    await engine.close();
  }
}

for (const { name, from, platforms, repository, built } of [
  {
    name: 'an index whose every platform the filter keeps',
    from: 'multi/app:v1',
    platforms: ['linux/*'],
    repository: 'whole/app',
    built: () => index,
  },
  {
    name: 'a single-platform image the filter matches',
    from: 'single/app:v1',
    platforms: ['linux/amd64'],
    repository: 'one/app',
    built: () => single,
  },
]) {
  test(`${name}: the second run is up to date, with no manifest PUT`, async () => {
    const task = {
      source: `${source.host}/${from}`,
      target: `${proxy.host}/${repository}:v1`,
      platforms,
      missingPlatforms: 'skip' as const,
    };
    const first = await copyOnce(task);
    assert.equal(first.status, 'copied');
    assert.equal(
      (await skopeoInspectRaw(`${target.host}/${repository}:v1`, target)).digest,
      built().digest,
      'the source manifest as it is',
    );
    const putsBefore = manifestPuts(repository);
    assert.ok(putsBefore > 0, 'the first run wrote it');

    const second = await copyOnce(task);
    assert.equal(second.status, 'skipped');
    assert.deepEqual(
      second.events.flatMap((e) => (e.type === 'image-skipped' ? [e.reason] : [])),
      ['up-to-date'],
    );
    assert.equal(second.events.filter((e) => e.type === 'image-done').length, 0);
    assert.equal(manifestPuts(repository), putsBefore, 'no manifest PUT on the second run');

    const engine = new CopyEngine();
    const planned = await engine.plan(task).finally(() => engine.close());
    assert.equal(planned.action, 'up-to-date', 'the dry run says so too');
  });
}

test('a grouped copy (several destinations) with such a filter: up to date everywhere on the second run, no manifest PUT', async () => {
  const members = (engine: CopyEngine, events: CopyEvent[]) =>
    engine.copyGroup(
      ['group-a/app', 'group-b/app'].map((repository) => ({
        task: {
          source: `${source.host}/multi/app:v1`,
          target: `${proxy.host}/${repository}:v1`,
          platforms: ['linux/*'],
          missingPlatforms: 'skip' as const,
        },
        run: { onEvent: (e: CopyEvent) => events.push(e) },
      })),
    );
  const run = async () => {
    const engine = new CopyEngine();
    const events: CopyEvent[] = [];
    try {
      const settled = await members(engine, events);
      return { statuses: settled.map((s) => (s.status === 'fulfilled' ? s.value.status : 'rejected')), events };
    } finally {
      await engine.close();
    }
  };
  assert.deepEqual((await run()).statuses, ['copied', 'copied']);
  const putsBefore = manifestPuts('group-a/app') + manifestPuts('group-b/app');
  const second = await run();
  assert.deepEqual(second.statuses, ['skipped', 'skipped']);
  assert.equal(second.events.filter((e) => e.type === 'image-skipped').length, 2);
  assert.equal(manifestPuts('group-a/app') + manifestPuts('group-b/app'), putsBefore, 'no manifest PUT on the second run');
});
