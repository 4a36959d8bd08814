import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult } from './run-store.js';
import { SqliteRunStore } from './sqlite-run-store.js';

/** Runs of two registries: [registry, startedAt, result, failed images]. */
const HISTORY: Array<[string, number, Exclude<RunResult, 'running'>, number]> = [
  ['a.example', 1000, 'succeeded', 0],
  ['a.example', 2000, 'failed', 2],
  ['b.example', 2500, 'succeeded', 0],
  ['a.example', 3000, 'cancelled', 1],
  ['a.example', 3000, 'succeeded', 0],
  ['a.example', 4000, 'interrupted', 0],
  ['a.example', 5000, 'succeeded', 0],
];

async function storeWithHistory() {
  const store = SqliteRunStore.open(':memory:');
  const ids: number[] = [];
  for (const [registry, startedAt, result, failed] of HISTORY) {
    const id = await store.startRun(registry, 'schedule', startedAt);
    await store.finishRun(id, { endedAt: startedAt + 10, result, copied: 0, upToDate: 0, failed, bytes: 0, images: [] });
    ids.push(id);
  }
  return { store, ids };
}

test('run pages: newest first (ties by id), one registry or all, paged by the last id of the previous page', async (t) => {
  const { store, ids } = await storeWithHistory();
  t.after(() => store.close());
  const first = await store.listRunPage({ registry: 'a.example', limit: 2 });
  assert.deepEqual(
    first?.runs.map((r) => r.id),
    [ids[6], ids[5]],
  );
  assert.equal(first.more, true);
  const second = await store.listRunPage({ registry: 'a.example', limit: 2, before: ids[5] });
  assert.deepEqual(
    second?.runs.map((r) => r.id),
    [ids[4], ids[3]],
    'two runs started at the same time come in id order, newest first',
  );
  const last = await store.listRunPage({ registry: 'a.example', limit: 2, before: ids[3] });
  assert.deepEqual(
    last?.runs.map((r) => r.id),
    [ids[1], ids[0]],
  );
  assert.equal(last.more, false);

  const all = await store.listRunPage({ limit: 10 });
  assert.deepEqual(
    all?.runs.map((r) => r.registry),
    ['a.example', 'a.example', 'a.example', 'a.example', 'b.example', 'a.example', 'a.example'],
  );
  assert.equal(all.more, false);
  assert.equal(await store.listRunPage({ limit: 10, before: 999 }), undefined, 'a cursor naming no run');
});

test('run pages: failed only keeps runs that failed, were interrupted, or have failed images', async (t) => {
  const { store, ids } = await storeWithHistory();
  t.after(() => store.close());
  const failed = await store.listRunPage({ registry: 'a.example', limit: 10, failedOnly: true });
  assert.deepEqual(
    failed?.runs.map((r) => [r.id, r.result]),
    [
      [ids[5], 'interrupted'],
      [ids[3], 'cancelled'],
      [ids[1], 'failed'],
    ],
  );
  const paged = await store.listRunPage({ registry: 'a.example', limit: 1, failedOnly: true, before: ids[5] });
  assert.deepEqual(
    paged?.runs.map((r) => r.id),
    [ids[3]],
  );
  assert.equal(paged.more, true);
  assert.deepEqual((await store.listRunPage({ registry: 'b.example', limit: 10, failedOnly: true }))?.runs, []);
});
