import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteRunStore } from './sqlite-run-store.js';
import { MIGRATIONS } from './sqlite-schema.js';

const store = SqliteRunStore.open(':memory:');
after(() => store.close());
const ledger = store.ownership;
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

test('what a rule wrote is its own: written again, the digest follows; released, it is gone', async () => {
  const tag = {
    registry: 'mirror:5000',
    ruleKey: 'src/app -> mirror:5000/m',
    target: 'mirror:5000/m/app:v1',
    source: 'src/app:v1',
    digest: D1,
  };
  await ledger.recordWritten([tag], 100);
  await ledger.recordWritten([{ ...tag, digest: D2 }], 200);
  await ledger.markSeen(tag.ruleKey, [tag.target], 300);
  assert.deepEqual(await ledger.ownedTags(tag.ruleKey), [{ ...tag, digest: D2, writtenAt: 200, lastSeenAt: 300 }]);
  assert.deepEqual(await ledger.ownedTags('another rule'), [], "one rule never sees another's");
  await ledger.release(tag.ruleKey, tag.target);
  assert.deepEqual(await ledger.ownedTags(tag.ruleKey), []);
});

test('a missing streak counts runs in a row and ends when cleared', async () => {
  assert.equal(await ledger.missingRuns('r', 'team/app'), 0);
  assert.equal(await ledger.countMissing('r', 'team/app', 1), 1);
  assert.equal(await ledger.countMissing('r', 'team/app', 2), 2);
  assert.equal(await ledger.missingRuns('r', 'team/app'), 2);
  await ledger.clearMissing('r', 'team/app');
  assert.equal(await ledger.countMissing('r', 'team/app', 3), 1);
});

test('deletions are kept per registry and run, newest first, and age out with the history; ownership does not', async () => {
  const base = { registry: 'a:5000', rule: 'mirrors[0]', digest: D1, reason: 'gone from the source' };
  await ledger.recordPruned({ ...base, runId: 1, target: 'a:5000/x:v1', prunedAt: 10 });
  await ledger.recordPruned({ ...base, runId: 2, target: 'a:5000/x:v2', prunedAt: 20 });
  await ledger.recordPruned({ ...base, registry: 'b:5000', runId: 2, target: 'b:5000/x:v3', prunedAt: 30 });
  await ledger.recordWritten([{ registry: 'a:5000', ruleKey: 'k', target: 'a:5000/x:v9', source: 's/x:v9', digest: D1 }], 5);
  assert.deepEqual(
    (await ledger.prunedTags({ registry: 'a:5000', limit: 10 })).map((p) => p.target),
    ['a:5000/x:v2', 'a:5000/x:v1'],
  );
  assert.deepEqual(
    (await ledger.prunedTags({ runId: 2, limit: 10 })).map((p) => p.target),
    ['b:5000/x:v3', 'a:5000/x:v2'],
  );
  await store.prune(25);
  assert.deepEqual(
    (await ledger.prunedTags({ limit: 10 })).map((p) => p.target),
    ['b:5000/x:v3'],
  );
  assert.equal((await ledger.ownedTags('k')).length, 1, 'what picture-book owns never ages out');
});

test("a tag's referrers are kept per repository, written again in place, and forgotten with the tag", async () => {
  const sig = { target: 'm:5000/x/app:v1', imageDigest: D1, digest: D2, subject: D1 };
  const other = { target: 'm:5000/x/app:v2', imageDigest: D2, digest: `sha256:${'3'.repeat(64)}`, subject: D2 };
  const deeper = { ...sig, target: 'm:5000/x/app/deeper:v1' };
  await ledger.recordReferrers([sig, other, deeper], 1);
  await ledger.recordReferrers([sig], 2);
  assert.deepEqual(await ledger.ownedReferrers('m:5000/x/app'), [sig, other], 'one repository, not a deeper one; no duplicate');
  await ledger.forgetReferrers(sig.target);
  assert.deepEqual(await ledger.ownedReferrers('m:5000/x/app'), [other]);
  assert.deepEqual(await ledger.ownedReferrers('m:5000/x/app/deeper'), [deeper]);
});

test("forgetting some of a tag's referrers (those deleted while another failed) keeps the others' records", async () => {
  const kept = { target: 'm:5000/y/app:v1', imageDigest: D1, digest: D2, subject: D1 };
  const gone = { ...kept, digest: `sha256:${'4'.repeat(64)}` };
  await ledger.recordReferrers([kept, gone], 1);
  await ledger.forgetReferrers(kept.target, [gone.digest]);
  assert.deepEqual(await ledger.ownedReferrers('m:5000/y/app'), [kept]);
});

test('a referrer owed by a failed deletion is read back as owed; written again by a copy, it is a record like any other', async () => {
  const owed = { target: 'm:5000/z/app:v1', imageDigest: D1, digest: D2, subject: D1, owed: true };
  await ledger.recordReferrers([owed], 1);
  assert.deepEqual(await ledger.ownedReferrers('m:5000/z/app'), [owed]);
  const copied = { target: owed.target, imageDigest: D1, digest: D2, subject: D1 };
  await ledger.recordReferrers([copied], 2);
  assert.deepEqual(await ledger.ownedReferrers('m:5000/z/app'), [copied], 'no `owed` key at all');
});

test('a database of the schema before owed referrers gets the column: its records read as before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-store-owed-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'before-owed.db');
  const old = new Database(file);
  const owedAt = MIGRATIONS.findIndex((sql) => sql.includes('ADD COLUMN owed'));
  for (const sql of MIGRATIONS.slice(0, owedAt)) old.exec(sql);
  old.pragma(`user_version = ${owedAt}`);
  old
    .prepare(`INSERT INTO owned_referrers (target, image_digest, digest, subject, written_at) VALUES ('m:5000/o/app:v1', ?, ?, ?, 1)`)
    .run(D1, D2, D1);
  old.close();
  const reopened = SqliteRunStore.open(file);
  try {
    assert.deepEqual(await reopened.ownership.ownedReferrers('m:5000/o/app'), [
      { target: 'm:5000/o/app:v1', imageDigest: D1, digest: D2, subject: D1 },
    ]);
  } finally {
    await reopened.close();
  }
});
