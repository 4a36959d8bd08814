import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CopyResult, CopyTask } from '../copy/index.js';
import { registryConfig } from '../scheduler/scheduler-test-kit.js';
import { FakeLister } from '../select/lister-test-kit.js';
import type { LoadEvent } from './events.js';
import { LISTING_CONCURRENCY, runLoad } from './load-run.js';

const SRC = 'src.example:5000';
const TARGET = 'mirror.example:5000';

/** Copies nothing; records each task it was given (copy), or answers "would copy" (plan). */
class RecordingEngine {
  readonly tasks: CopyTask[] = [];
  copy(task: CopyTask): Promise<CopyResult> {
    this.tasks.push(task);
    return Promise.resolve({
      status: 'copied',
      source: task.source,
      target: task.target,
      digest: 'sha256:1',
      sourceDigest: 'sha256:1',
      bytes: 1,
      blobsCopied: 1,
      blobsSkipped: 0,
      blobsMounted: 0,
      manifestsWritten: 1,
      durationMs: 1,
    });
  }
  plan(task: CopyTask): Promise<{ action: 'copy'; digest: string }> {
    this.tasks.push(task);
    return Promise.resolve({ action: 'copy', digest: 'sha256:1' });
  }
}

function load(registry: Partial<ReturnType<typeof registryConfig>>, lister: FakeLister, dryRun = false) {
  const engine = new RecordingEngine();
  const events: LoadEvent[] = [];
  const run = runLoad({
    registries: [{ ...registryConfig(TARGET), ...registry }],
    engine,
    lister: () => lister,
    emit: (e) => events.push(e),
    dryRun,
  });
  return run.then((outcome) => ({ outcome, events, tasks: engine.tasks }));
}

test('images:, repo:* and mirrors: rules are merged and de-duplicated; platforms and force reach the copy task', async () => {
  const lister = new FakeLister({ [SRC]: { 'team/app': ['v1', 'v2', 'v3-rc'], 'team/db': ['1.0.0'], 'other/x': ['a'] } });
  const { outcome, events, tasks } = await load(
    {
      images: [`${SRC}/team/app:v1`, `${SRC}/team/db:*`],
      mirrors: [
        { source: `${SRC}/team/`, tags: { exclude: ['.*-rc'] } },
        { source: `${SRC}/team/app`, tags: { include: ['v2'] }, target: 'apps/app', platforms: ['linux/arm64'], force: true },
      ],
    },
    lister,
  );
  assert.deepEqual(
    tasks.map((t) => [t.source, t.target, t.platforms, t.force]),
    [
      [`${SRC}/team/app:v1`, `${TARGET}/mirror/team/app:v1`, undefined, undefined],
      [`${SRC}/team/db:1.0.0`, `${TARGET}/mirror/team/db:1.0.0`, undefined, undefined],
      [`${SRC}/team/app:v2`, `${TARGET}/mirror/team/app:v2`, undefined, undefined],
      [`${SRC}/team/app:v2`, `${TARGET}/mirror/apps/app:v2`, ['linux/arm64'], true],
    ],
    'team/app:v1 and team/db:1.0.0 once each, although two rules select each',
  );
  assert.equal(outcome.ok, true);
  assert.deepEqual(outcome.registries[0]?.selectionProblems, []);
  const listed = events.find((e) => e.type === 'registry-listed');
  assert.equal(listed?.type === 'registry-listed' && listed.images, 4);
  // Every run lists anew: the catalog once (one namespace rule), the tags of each repository its rules cover.
  assert.deepEqual([...lister.calls].sort(), [
    `catalog ${SRC}`,
    `tags ${SRC}/team/app`,
    `tags ${SRC}/team/app`,
    `tags ${SRC}/team/db`,
    `tags ${SRC}/team/db`,
  ]);
});

test("listing progress and each rule's selection are load events of the target registry, naming the listed source", async () => {
  const lister = new FakeLister({ [SRC]: { 'team/app': ['1.0.0', '1.1.0', '1.2.0-rc'], 'team/old': ['v1'] } });
  const { events } = await load(
    { mirrors: [{ source: `${SRC}/team/`, repositories: { exclude: ['team/old'] }, tags: { exclude: ['.*-rc'], latest: 1 } }] },
    lister,
    true,
  );
  const found = events.filter((e) => e.type === 'repositories-found');
  assert.deepEqual(
    found.map((e) => [e.registry, e.source, e.rule, e.found, e.selected]),
    [[TARGET, SRC, 'mirrors[0]', 2, 1]],
  );
  const tags = events.filter((e) => e.type === 'tags-found');
  assert.deepEqual(
    tags.map((e) => [e.registry, e.source, e.repository, e.found, e.total]),
    [
      [TARGET, SRC, 'team/app', 2, 2],
      [TARGET, SRC, 'team/app', 3, 3],
    ],
  );
  const selected = events.find((e) => e.type === 'rule-selected');
  assert.deepEqual(selected?.type === 'rule-selected' && { ...selected, time: 0 }, {
    type: 'rule-selected',
    registry: TARGET,
    rule: 'mirrors[0]',
    kind: 'namespace',
    source: `${SRC}/team/`,
    repositories: { kept: 1, dropped: { exclude: 1 } },
    tags: { listed: 3, kept: 1, dropped: { exclude: 1, latest: 1 } },
    droppedRepositories: [{ repository: 'team/old', filter: 'exclude', reason: 'matches exclude "team/old"' }],
    droppedTags: [
      { repository: 'team/app', tag: '1.0.0', filter: 'latest', reason: 'not among the 1 highest versions' },
      { repository: 'team/app', tag: '1.2.0-rc', filter: 'exclude', reason: 'matches exclude ".*-rc"' },
    ],
    time: 0,
  });
  const order = events.map((e) => e.type).filter((t) => ['rule-selected', 'registry-listed', 'image-planned'].includes(t));
  assert.deepEqual(order, ['rule-selected', 'registry-listed', 'image-planned'], 'the plan per rule comes before the images');
});

test('a collision is an error naming both sources, before any copy: neither is copied there, the rest is, the run fails', async () => {
  const lister = new FakeLister({ [SRC]: { 'team/app': ['v1', 'v2'], 'other/app': ['v1'] } });
  const { outcome, events, tasks } = await load(
    { mirrors: [{ source: `${SRC}/team/app` }, { source: `${SRC}/other/app`, target: 'team/app' }] },
    lister,
  );
  assert.deepEqual(
    tasks.map((t) => t.target),
    [`${TARGET}/mirror/team/app:v2`],
  );
  const problem = events.find((e) => e.type === 'selection-problem');
  assert.equal(problem?.type === 'selection-problem' && problem.code, 'TARGET_COLLISION');
  assert.equal(problem?.type === 'selection-problem' && problem.severity, 'error');
  assert.match(
    problem?.type === 'selection-problem' ? problem.message : '',
    new RegExp(`${SRC}/team/app:v1 \\(mirrors\\[0\\]\\) and ${SRC}/other/app:v1 \\(mirrors\\[1\\]\\)`),
  );
  const [registry] = outcome.registries;
  assert.equal(registry?.ok, false);
  assert.deepEqual(
    registry.selectionProblems.map((p) => [p.code, p.severity, p.rule]),
    [['TARGET_COLLISION', 'error', 'mirrors[0]']],
  );
  assert.equal(outcome.ok, false);
  assert.equal(outcome.selectionErrors, 1);
  const finished = events.find((e) => e.type === 'run-finished');
  assert.equal(finished?.type === 'run-finished' && finished.selectionErrors, 1);
});

test('a catalog the registry does not offer fails its rule and the run; other rules are still copied; a warning alone does not fail', async () => {
  const lister = new FakeLister({ [SRC]: { 'team/app': ['v1'] } }, { withoutCatalog: [SRC] });
  const { outcome, events, tasks } = await load(
    { mirrors: [{ source: `${SRC}/team/` }, { source: `${SRC}/team/app` }, { source: `${SRC}/team/app`, tags: { include: ['v9'] } }] },
    lister,
  );
  assert.deepEqual(
    tasks.map((t) => t.source),
    [`${SRC}/team/app:v1`],
  );
  assert.deepEqual(
    events.flatMap((e) => (e.type === 'selection-problem' ? [[e.code, e.severity, e.rule]] : [])),
    [
      ['CATALOG_UNAVAILABLE', 'error', 'mirrors[0]'],
      ['EMPTY_SELECTION', 'warning', 'mirrors[2]'],
    ],
  );
  assert.equal(outcome.ok, false);
  const warningOnly = await load({ mirrors: [{ source: `${SRC}/team/app`, tags: { include: ['v9'] } }] }, lister);
  assert.equal(warningOnly.outcome.ok, true, 'an empty selection that is not required is reported, not a failure');
});

test('a syncer-script-like run without mirrors never lists: plain references need no lister', async () => {
  const lister = new FakeLister({});
  const { outcome, tasks } = await load({ images: [`${SRC}/team/app`, `${SRC}/team/app:latest`] }, lister);
  assert.deepEqual(lister.calls, []);
  assert.deepEqual(
    tasks.map((t) => [t.source, t.target]),
    [[`${SRC}/team/app`, `${TARGET}/mirror/team/app:latest`]],
    'no tag is latest: one image, not a collision',
  );
  assert.equal(outcome.ok, true);
});

test('a repository gone between catalog and tags is a warning and skipped; the rest is copied and the run is ok', async () => {
  const lister = new FakeLister({ [SRC]: { 'team/app': ['v1'], 'team/gone': ['v1'] } });
  lister.vanished.add(`${SRC}/team/gone`);
  const { outcome, events, tasks } = await load({ mirrors: [{ source: `${SRC}/team/` }] }, lister);
  assert.deepEqual(
    tasks.map((t) => t.source),
    [`${SRC}/team/app:v1`],
  );
  const problem = events.find((e) => e.type === 'selection-problem');
  assert.deepEqual(problem?.type === 'selection-problem' && [problem.code, problem.severity, problem.repository], [
    'REPOSITORY_NOT_FOUND',
    'warning',
    'team/gone',
  ]);
  assert.equal(outcome.ok, true);
});

test('aborted while listing: nothing is copied, the stop is said, and the load ends', async () => {
  const abort = new AbortController();
  const engine = new RecordingEngine();
  const events: LoadEvent[] = [];
  // A catalog that answers only when the run is aborted, as a stalled registry would.
  const stalled: FakeLister = new FakeLister({});
  let asked!: () => void;
  const listing = new Promise<void>((resolve) => (asked = resolve));
  stalled.repositories = (_registry, options) =>
    new Promise((_resolve, reject) => {
      options?.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      asked();
    });
  const running = runLoad({
    registries: [{ ...registryConfig(TARGET), mirrors: [{ source: SRC }] }],
    engine,
    lister: () => stalled,
    emit: (e) => events.push(e),
    signal: abort.signal,
  });
  await listing;
  abort.abort();
  const outcome = await running;
  assert.deepEqual(engine.tasks, []);
  assert.ok(
    events.some(
      (e) => e.type === 'warning' && e.message === `${TARGET}: listing stopped: the run was cancelled before its images were known`,
    ),
  );
  assert.equal(events.filter((e) => e.type === 'registry-listed').length, 0);
  assert.equal(outcome.registries[0]?.images.length, 0);
});

test('tag listings are concurrent and bounded by one limit for the whole run, however many registries list', async () => {
  const many = (prefix: string) => Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`${prefix}/r${i}`, ['v1']]));
  const lister = new FakeLister({ [SRC]: { ...many('a'), ...many('b') } });
  const tags = lister.tags.bind(lister);
  let inFlight = 0;
  let most = 0;
  lister.tags = async (registry, repository, options) => {
    most = Math.max(most, ++inFlight);
    // Held for a turn of the event loop, so that every listing the limit lets through has started.
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    return tags(registry, repository, options);
  };
  const engine = new RecordingEngine();
  const outcome = await runLoad({
    registries: [
      { ...registryConfig('one.example'), mirrors: [{ source: `${SRC}/a/` }] },
      { ...registryConfig('two.example'), mirrors: [{ source: `${SRC}/b/` }] },
    ],
    engine,
    lister: () => lister,
    emit: () => {},
  });
  assert.equal(engine.tasks.length, 24);
  assert.equal(outcome.ok, true);
  assert.equal(most, LISTING_CONCURRENCY, 'as many at once as the limit, never more, across both registries');
});
