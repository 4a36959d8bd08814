import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteRunStore } from './sqlite-run-store.js';
import { MIGRATIONS } from './sqlite-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'pb-store-skips-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const skippedImage = {
  source: 'src.example/app:v1',
  target: 'mirror.example/m/app:v1',
  status: 'skipped' as const,
  digest: 'sha256:bb',
  bytes: 0,
  note: 'no image for windows/* (the index has linux/amd64)',
};

test('a run keeps its platform-skipped images: counted in skipped, each with its note', async () => {
  const store = SqliteRunStore.open(':memory:');
  const id = await store.startRun('mirror.example', 'start', 1000);
  await store.finishRun(id, {
    endedAt: 2000,
    result: 'succeeded',
    copied: 0,
    upToDate: 0,
    failed: 0,
    skipped: 1,
    bytes: 0,
    images: [skippedImage],
  });
  const other = await store.startRun('mirror.example', 'manual', 3000);
  await store.finishRun(other, { endedAt: 4000, result: 'succeeded', copied: 0, upToDate: 1, failed: 0, bytes: 0, images: [] });

  const run = await store.getRun(id);
  assert.equal(run?.skipped, 1);
  assert.deepEqual(run.images, [{ ...skippedImage, error: undefined }]);
  assert.deepEqual(
    (await store.listRuns('mirror.example', 10)).map((r) => [r.id, r.skipped]),
    [
      [other, 0],
      [id, 1],
    ],
    'none given: 0',
  );
  assert.equal((await store.listRunPage({ limit: 5 }))?.runs.find((r) => r.id === id)?.skipped, 1);
  await store.close();
});

test('a database of the schema before skips were kept gets the columns: its runs count 0 skipped, its images have no note', async () => {
  const file = join(dir, 'before-skips.db');
  const old = new Database(file);
  const skips = MIGRATIONS.findIndex((sql) => sql.includes('ADD COLUMN skipped'));
  for (const sql of MIGRATIONS.slice(0, skips)) old.exec(sql);
  old.pragma(`user_version = ${skips}`);
  old
    .prepare(
      `INSERT INTO runs (id, registry, trigger, started_at, ended_at, result, up_to_date) VALUES (7, 'old.example', 'start', 1, 2, 'succeeded', 1)`,
    )
    .run();
  old.prepare(`INSERT INTO run_images (run_id, source, target, status, bytes) VALUES (7, 'a/b:1', 'c/b:1', 'up-to-date', 0)`).run();
  old.close();

  const store = SqliteRunStore.open(file);
  const run = await store.getRun(7);
  assert.equal(run?.skipped, 0);
  assert.equal(run.images[0]?.note, undefined);
  assert.ok(!('note' in (run.images[0] ?? {})), 'no note key at all');
  await store.close();
});
