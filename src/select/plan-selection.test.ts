import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReference } from '../reference/index.js';
import { FakeLister } from './lister-test-kit.js';
import { hasErrors, planSelection } from './plan-selection.js';
import { compileRule, referenceRule } from './rule.js';

const lister = new FakeLister({
  'a.example': { 'team/app': ['v1', 'v2'], 'team/db': ['v1'] },
  'b.example': { 'x/app': ['v1', 'v3'] },
});
const target = { hostname: 'm:5000', repository: '' };

test('rules and images: entries are merged: duplicates copied once, collisions reported before any copy', async () => {
  const plan = await planSelection(
    [
      compileRule({ source: 'a.example/team/' }, 'mirrors[0]'),
      compileRule({ source: 'b.example/x/app', target: 'team/app' }, 'mirrors[1]'),
      referenceRule(parseReference('a.example/team/db:v1'), 'images[0]'),
    ],
    { lister, target },
  );
  assert.deepEqual(
    plan.images.map((i) => `${i.source} -> ${i.target} [${i.rules.join(', ')}]`),
    [
      'a.example/team/app:v2 -> m:5000/team/app:v2 [mirrors[0]]',
      'a.example/team/db:v1 -> m:5000/team/db:v1 [mirrors[0], images[0]]',
      'b.example/x/app:v3 -> m:5000/team/app:v3 [mirrors[1]]',
    ],
  );
  assert.deepEqual(
    plan.problems.map((p) => [p.code, p.collision?.target]),
    [['TARGET_COLLISION', 'm:5000/team/app:v1']],
  );
  assert.match(plan.problems[0]?.message ?? '', /a\.example\/team\/app:v1 \(mirrors\[0\]\) and b\.example\/x\/app:v1 \(mirrors\[1\]\)/);
  assert.equal(hasErrors(plan), true);
  assert.equal(plan.expansions.length, 3);
});

test('a plain reference without a tag means latest, as in images: today', async () => {
  const plan = await planSelection([referenceRule(parseReference('a.example/team/app'), 'images[0]')], { lister, target });
  assert.deepEqual(
    plan.images.map((i) => i.target),
    ['m:5000/team/app:latest'],
  );
  assert.equal(hasErrors(plan), false);
});
