import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteRunStore } from '../store/index.js';
import { SharedRunStore } from './shared-run-store.js';
import type { SharedRunSummary, SharedRuns } from './shared-runs.js';

/** SharedRuns as far as a run's publishing goes: what was sent, and progress publishes held until let go. */
function fakeShared() {
  const sent: Array<{ kind: 'publish' | 'progress'; summary: SharedRunSummary }> = [];
  const held: Array<() => void> = [];
  let changes: Record<string, string> | undefined = {};
  const shared = {
    nextId: async () => undefined,
    changes: async () => changes,
    publish: async (summary: SharedRunSummary) => void sent.push({ kind: 'publish', summary }),
    publishProgress: (summary: SharedRunSummary) => {
      sent.push({ kind: 'progress', summary });
      return new Promise<void>((resolve) => held.push(resolve));
    },
  } as unknown as SharedRuns;
  return {
    shared,
    sent,
    letGo: () => held.splice(0).forEach((resolve) => resolve()),
    setChanges: (next: Record<string, string> | undefined) => void (changes = next),
  };
}

const counts = { copied: 0, upToDate: 0, failed: 0, cancelled: 0, skipped: 0, bytes: 0 };
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("a run's progress is published only when its counts changed, one at a time, never after its end", async () => {
  const { shared, sent, letGo } = fakeShared();
  const store = new SharedRunStore(SqliteRunStore.open(':memory:'), shared, 'a');
  const id = await store.startRun('r.example', 'manual', 1);
  assert.deepEqual(
    sent.map((s) => s.kind),
    ['publish'],
  );

  store.progress(id, counts);
  assert.equal(sent.length, 1, 'unchanged counts: nothing sent');
  store.progress(id, { ...counts, copied: 1, bytes: 10 });
  store.progress(id, { ...counts, copied: 2, bytes: 20 });
  assert.deepEqual(
    sent.map((s) => [s.kind, s.summary.copied, s.summary.bytes, s.summary.result]),
    [
      ['publish', 0, 0, 'running'],
      ['progress', 1, 10, 'running'],
    ],
    'the second waits for the first to reach Redis (a Redis down holds one per run)',
  );
  letGo();
  await settle();
  store.progress(id, { ...counts, copied: 2, bytes: 20 });
  assert.deepEqual(sent.at(-1)?.summary.copied, 2);
  letGo();
  await settle();

  await store.finishRun(id, { endedAt: 2, result: 'succeeded', copied: 2, upToDate: 0, failed: 0, bytes: 20, images: [] });
  assert.deepEqual(sent.at(-1)?.summary.result, 'succeeded');
  store.progress(id, { ...counts, copied: 3 });
  assert.equal(sent.at(-1)?.kind, 'publish', 'nothing after the end');
  store.progress(12345, { ...counts, copied: 1 });
  assert.equal(sent.at(-1)?.kind, 'publish', "another server's run or none: nothing");
  await store.close();
});

test("the registries whose runs changed on the other servers: this server's own and unchanged ones left out; Redis silent, none", async () => {
  const { shared, setChanges } = fakeShared();
  const store = new SharedRunStore(SqliteRunStore.open(':memory:'), shared, 'a');
  setChanges({ 'a\nr.example': '1', 'b\nr.example': '1' });
  assert.deepEqual(await store.changedElsewhere(), ['r.example'], 'the first look: every registry with runs elsewhere');
  setChanges({ 'a\nr.example': '2', 'b\nr.example': '1', 'c\ns.example': '1' });
  assert.deepEqual(await store.changedElsewhere(), ['s.example']);
  setChanges({ 'a\nr.example': '2', 'b\nr.example': '3', 'c\ns.example': '1' });
  assert.deepEqual(await store.changedElsewhere(), ['r.example']);
  assert.deepEqual(await store.changedElsewhere(), []);
  setChanges(undefined);
  assert.deepEqual(await store.changedElsewhere(), []);
  await store.close();
});
