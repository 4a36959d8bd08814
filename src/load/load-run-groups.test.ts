import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copiedResult } from '../copy/copy-test-kit.js';
import type { CopyResult, CopyTask, GroupMember } from '../copy/index.js';
import { registryConfig } from '../scheduler/scheduler-test-kit.js';
import { FakeLister } from '../select/lister-test-kit.js';
import { runLoad } from './load-run.js';

const SRC = 'src.example:5000';
const X = `${SRC}/x:1`;
const Y = `${SRC}/y:1`;

/** Copies at once; records which sources went alone and which groups were copied together. */
class GroupingEngine {
  readonly alone: string[] = [];
  readonly groups: string[][] = [];
  copy(task: CopyTask): Promise<CopyResult> {
    this.alone.push(task.target);
    return Promise.resolve(copiedResult(task));
  }
  copyGroup(members: readonly GroupMember[]): Promise<Array<PromiseSettledResult<CopyResult>>> {
    this.groups.push(members.map((m) => m.task.target).sort());
    return Promise.resolve(members.map((m) => ({ status: 'fulfilled', value: copiedResult(m.task) })));
  }
  plan(): Promise<never> {
    return Promise.reject(new Error('not planned here'));
  }
}

/** Two target registries listing the same two sources in opposite orders (image-syncer's many-to-many). */
function entries(concurrency?: number) {
  const entry = (hostname: string, images: string[]) => ({ ...registryConfig(hostname), repository: '', images, concurrency });
  return [entry('a.example:5000', [X, Y]), entry('b.example:5000', [Y, X])];
}

const load = async (concurrency?: number) => {
  const engine = new GroupingEngine();
  const outcome = await runLoad({
    registries: entries(concurrency),
    engine,
    lister: () => new FakeLister({}),
    emit: () => {},
    groupSources: true,
  });
  return { outcome, engine };
};

test('grouped sources: each source is copied once for both target registries', async () => {
  const { outcome, engine } = await load();
  assert.equal(outcome.copied, 4);
  assert.deepEqual(engine.alone, []);
  assert.deepEqual(engine.groups.sort(), [
    ['a.example:5000/x:1', 'b.example:5000/x:1'],
    ['a.example:5000/y:1', 'b.example:5000/y:1'],
  ]);
});

// Grouped, each entry's one slot would be held by a task waiting for the other entry's task, queued
// behind that entry's own slot: the run would never end (this test's timeout is that failure).
test('grouped sources: an entry with its own concurrency copies alone and the run ends', { timeout: 30_000 }, async () => {
  const { outcome, engine } = await load(1);
  assert.equal(outcome.copied, 4);
  assert.deepEqual(engine.groups, []);
  assert.deepEqual(engine.alone.sort(), ['a.example:5000/x:1', 'a.example:5000/y:1', 'b.example:5000/x:1', 'b.example:5000/y:1']);
});
