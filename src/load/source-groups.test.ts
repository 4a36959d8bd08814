import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copiedResult } from '../copy/copy-test-kit.js';
import type { CopyResult, CopyTask, GroupMember } from '../copy/index.js';
import { groupKey, SourceGroups } from './source-groups.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

/** A copyGroup that records each group it was given (by target) and copies all, failing targets named in `failing`. */
function recorder(failing: readonly string[] = []) {
  const calls: string[][] = [];
  const copyGroup = (members: readonly GroupMember[]): Promise<Array<PromiseSettledResult<CopyResult>>> => {
    calls.push(members.map((m) => m.task.target));
    return Promise.resolve(
      members.map((m): PromiseSettledResult<CopyResult> =>
        failing.includes(m.task.target)
          ? { status: 'rejected', reason: new Error(`failed ${m.task.target}`) }
          : { status: 'fulfilled', value: copiedResult(m.task) },
      ),
    );
  };
  return { calls, copyGroup };
}

const member = (task: CopyTask): GroupMember => ({ task, run: {} });
const sorted = (calls: string[][]): string[][] => calls.map((c) => [...c].sort()).sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));

test('the destinations of one source, listed by several registries, are one group once every registry is listed', async () => {
  const { calls, copyGroup } = recorder();
  const groups = new SourceGroups(2, copyGroup);
  const a = { source: 'src:5000/team/app:v1', target: 'one:5000/team/app:v1' };
  const b = { source: 'src:5000/team/app:v1', target: 'two:5000/team/app:v1' };
  const c = { source: 'src:5000/team/app:v1', target: 'two:5000/copy/app:v1' };
  groups.listed([a]);
  const first = groups.copy(member(a));
  assert.deepEqual(calls, [], 'not copied while a registry is still unlisted');
  groups.listed([b, c]);
  const rest = [groups.copy(member(b))];
  assert.deepEqual(calls, [], 'not copied while a listed destination has not come');
  rest.push(groups.copy(member(c)));
  const results = await Promise.all([first, ...rest]);
  assert.deepEqual(sorted(calls), [[a.target, c.target, b.target].sort()]);
  assert.deepEqual(
    results.map((r) => r.target),
    [a.target, b.target, c.target],
    'each destination gets its own result',
  );
});

test('different sources, tags, digests, platforms or force are different groups; renamed destinations of one source are one', async () => {
  const { calls, copyGroup } = recorder();
  const tasks: CopyTask[] = [
    { source: 'src:5000/team/app:v1', target: 'one:5000/team/app:v1' },
    { source: 'src:5000/team/app:v1', target: 'one:5000/renamed/app:stable' },
    { source: 'src:5000/team/app:v2', target: 'one:5000/team/app:v2' },
    { source: 'src:5000/team/other:v1', target: 'one:5000/team/other:v1' },
    { source: 'mirror:5000/team/app:v1', target: 'one:5000/mirror/app:v1' },
    { source: `src:5000/team/app@${DIGEST}`, target: 'one:5000/pinned/a' },
    { source: `src:5000/team/app@${DIGEST}`, target: 'two:5000/pinned/a' },
    { source: `src:5000/team/app@${OTHER}`, target: 'one:5000/pinned/b' },
    { source: 'src:5000/team/app:v1', target: 'one:5000/arm/app:v1', platforms: ['linux/arm64'], missingPlatforms: 'skip' },
    { source: 'src:5000/team/app:v1', target: 'two:5000/arm/app:v1', platforms: ['linux/arm64'], missingPlatforms: 'skip' },
    { source: 'src:5000/team/app:v1', target: 'one:5000/amd/app:v1', platforms: ['linux/amd64'], missingPlatforms: 'skip' },
    { source: 'src:5000/team/app:v1', target: 'one:5000/forced/app:v1', force: true },
  ];
  const groups = new SourceGroups(1, copyGroup);
  groups.listed(tasks);
  const results = await Promise.all(tasks.map((task) => groups.copy(member(task))));
  assert.deepEqual(
    results.map((r) => r.target),
    tasks.map((t) => t.target),
  );
  assert.deepEqual(
    sorted(calls),
    sorted([
      ['one:5000/team/app:v1', 'one:5000/renamed/app:stable'],
      ['one:5000/team/app:v2'],
      ['one:5000/team/other:v1'],
      ['one:5000/mirror/app:v1'],
      ['one:5000/pinned/a', 'two:5000/pinned/a'],
      ['one:5000/pinned/b'],
      ['one:5000/arm/app:v1', 'two:5000/arm/app:v1'],
      ['one:5000/amd/app:v1'],
      ['one:5000/forced/app:v1'],
    ]),
  );
  assert.notEqual(groupKey(tasks[0] as CopyTask), groupKey(tasks[2] as CopyTask));
  assert.equal(groupKey(tasks[0] as CopyTask), groupKey(tasks[1] as CopyTask));
});

test('a withdrawn destination is not waited for; a failed one rejects alone', async () => {
  const { calls, copyGroup } = recorder(['two:5000/team/app:v1']);
  const groups = new SourceGroups(1, copyGroup);
  const tasks: CopyTask[] = ['one', 'two', 'three', 'gone'].map((host) => ({
    source: 'src:5000/team/app:v1',
    target: `${host}:5000/team/app:v1`,
  }));
  groups.listed(tasks);
  const copies = tasks.slice(0, 3).map((task) => groups.copy(member(task)));
  assert.deepEqual(calls, [], 'waits for the fourth destination');
  groups.withdraw(tasks[3] as CopyTask);
  const settled = await Promise.allSettled(copies);
  assert.deepEqual(calls, [['one:5000/team/app:v1', 'two:5000/team/app:v1', 'three:5000/team/app:v1']]);
  assert.deepEqual(
    settled.map((s) => s.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  const failed = settled[1];
  assert.match(failed?.status === 'rejected' ? String(failed.reason) : '', /failed two:5000\/team\/app:v1/);
});

test('a registry whose listing failed (listed with no tasks) does not hold the others back', async () => {
  const { calls, copyGroup } = recorder();
  const groups = new SourceGroups(2, copyGroup);
  const task = { source: 'src:5000/team/app:v1', target: 'one:5000/team/app:v1' };
  groups.listed([task]);
  const copy = groups.copy(member(task));
  groups.listed([]);
  assert.equal((await copy).target, task.target);
  assert.deepEqual(calls, [[task.target]]);
});

test('copyGroup itself failing rejects every destination of the group', async () => {
  const groups = new SourceGroups(1, () => Promise.reject(new Error('engine closed')));
  const tasks: CopyTask[] = ['one', 'two'].map((host) => ({ source: 'src:5000/team/app:v1', target: `${host}:5000/team/app:v1` }));
  groups.listed(tasks);
  const settled = await Promise.allSettled(tasks.map((task) => groups.copy(member(task))));
  assert.deepEqual(
    settled.map((s) => (s.status === 'rejected' ? String(s.reason) : 'fulfilled')),
    ['Error: engine closed', 'Error: engine closed'],
  );
});
