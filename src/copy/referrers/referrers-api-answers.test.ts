import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContentRepository, ReferrersListing } from '../../registry/index.js';
import { ReferrersApiAnswers } from './referrers-api-answers.js';

const repo = (place: string, name: string) => ({ place, name }) as ContentRepository;
const unsupported: ReferrersListing = { supported: false };
const empty: ReferrersListing = { supported: true, referrers: [], filtersApplied: [] };

/** A listing that answers `answer` (or fails with it) when released, and counts its calls. */
function listing(answer: ReferrersListing | Error) {
  const calls = { count: 0 };
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const list = async () => {
    calls.count++;
    await gate;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, list, release };
}

test('a repository that answered unsupported is not asked again; the others waited for that first answer', async () => {
  const answers = new ReferrersApiAnswers();
  const a = repo('r.example', 'team/app');
  const first = listing(unsupported);
  const pending = [answers.list(a, first.list), answers.list(a, first.list), answers.list(a, first.list)];
  first.release();
  assert.deepEqual(await Promise.all(pending), [unsupported, unsupported, unsupported]);
  assert.equal(first.calls.count, 1);
  assert.equal(await answers.unsupported(a), true);
  // Another repository of the same host, or the same name elsewhere, is asked.
  const other = listing(empty);
  other.release();
  assert.deepEqual(await answers.list(repo('r.example', 'team/other'), other.list), empty);
  assert.deepEqual(await answers.list(repo('s.example', 'team/app'), other.list), empty);
  assert.equal(other.calls.count, 2);
  assert.equal(await answers.unsupported(repo('r.example', 'team/other')), false);
});

test('a repository with the API is asked for every subject; a failed listing teaches nothing', async () => {
  const answers = new ReferrersApiAnswers();
  const a = repo('r.example', 'team/app');
  const supported = listing(empty);
  supported.release();
  for (let i = 0; i < 3; i++) assert.deepEqual(await answers.list(a, supported.list), empty);
  assert.equal(supported.calls.count, 3);

  const b = repo('r.example', 'team/flaky');
  const failing = listing(new Error('503 unavailable'));
  failing.release();
  await assert.rejects(answers.list(b, failing.list));
  assert.equal(await answers.unsupported(b), false);
  const later = listing(unsupported);
  later.release();
  await answers.list(b, later.list);
  assert.equal(later.calls.count, 1, 'asked again after the failure');
  assert.equal(await answers.unsupported(b), true);
});
