import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { NetworkError } from '../errors/index.js';
import { compileRule, expandRule, type RuleSpec } from '../select/index.js';
import { FakeLister } from '../select/lister-test-kit.js';
import { SqliteRunStore } from '../store/index.js';
import { guardReason, planRulePrune } from './plan-prune.js';
import { ruleKey } from './rule-key.js';

const REG = 'src.example:5000';
const PLACE = { hostname: 'mirror:5000', repository: 'm' };
const store = SqliteRunStore.open(':memory:');
after(() => store.close());
const ledger = store.ownership;

/** Lists `source` through a FakeLister holding `tags`, and plans the prune of what `owned` says the rule wrote. */
async function plan(
  spec: RuleSpec,
  registry: Record<string, string[]>,
  owned: string[],
  options: { dryRun?: boolean; lister?: (l: FakeLister) => void } = {},
) {
  const rule = compileRule(spec, 'mirrors[0]');
  const key = ruleKey(rule, PLACE);
  const written = owned.map((ref) => ({
    registry: PLACE.hostname,
    ruleKey: key,
    source: `${REG}/${ref}`,
    target: `mirror:5000/m/${ref}`,
    digest: `sha256:${'a'.repeat(64)}`,
  }));
  for (const w of written) if (!(await ledger.ownedTags(key)).some((o) => o.target === w.target)) await ledger.recordWritten([w], 1);
  const lister = new FakeLister({ [REG]: registry });
  options.lister?.(lister);
  const expansion = await expandRule(rule, { lister, target: PLACE });
  const selected = new Set(expansion.images.map((i) => i.target));
  const result = await planRulePrune({ expansion, place: PLACE, selected, ledger, dryRun: options.dryRun ?? false, now: 2 });
  assert.ok(result);
  return {
    candidates: result.candidates.map((c) => [c.owned.target.replace('mirror:5000/m/', ''), c.reason]),
    kept: result.kept.map((k) => [k.owned.target.replace('mirror:5000/m/', ''), k.note]),
    stillSelected: result.stillSelected.map((t) => t.replace('mirror:5000/m/', '')),
    owned: result.owned,
  };
}

test('a tag gone from the source or dropped by a filter is a candidate; one still selected is not', async () => {
  const result = await plan({ source: `${REG}/a/app`, tags: { exclude: ['v2'] }, prune: true }, { 'a/app': ['v1', 'v2'] }, [
    'a/app:v1',
    'a/app:v2',
    'a/app:v3',
  ]);
  assert.deepEqual(result.stillSelected, ['a/app:v1']);
  assert.deepEqual(result.candidates, [
    ['a/app:v2', 'dropped by exclude: matches exclude "v2"'],
    ['a/app:v3', 'gone from the source'],
  ]);
  assert.equal(result.owned, 3);
});

test('a repository whose listing failed keeps every tag, though nothing of it was selected', async () => {
  const result = await plan({ source: `${REG}/b/app`, prune: true }, { 'b/app': ['v1'] }, ['b/app:v1', 'b/app:v0'], {
    lister: (l) => l.failures.set(`${REG}/b/app`, new NetworkError('GET', 'http://x/v2/b/app/tags/list', 'connection reset')),
  });
  assert.deepEqual(result.candidates, []);
  assert.equal(result.kept.length, 2);
  assert.match(
    String(result.kept[0]?.[1]),
    /^the source was not listed completely \(listing failed: mirrors\[0\]: listing the tags of .*connection reset\)/,
  );
});

test('a catalog that fails keeps every tag of a namespace rule; a repository missing from a complete catalog waits for graceRuns', async () => {
  const spec: RuleSpec = { source: `${REG}/c/`, prune: { graceRuns: 2 } };
  const failing = await plan(spec, { 'c/one': ['v1'] }, ['c/one:v1', 'c/two:v1'], {
    lister: (l) => l.failures.set(REG, new NetworkError('GET', 'http://x/v2/_catalog', 'catalog down')),
  });
  assert.deepEqual(failing.candidates, []);
  assert.deepEqual(
    failing.kept.map(([t]) => t),
    ['c/one:v1', 'c/two:v1'],
  );
  const dry = await plan(spec, { 'c/one': ['v1'] }, [], { dryRun: true });
  assert.match(String(dry.kept[0]?.[1]), /missing for 1 run in a row \(no longer in the source catalog\): its tags go after 2/);
  const first = await plan(spec, { 'c/one': ['v1'] }, []);
  assert.match(String(first.kept[0]?.[1]), /missing for 1 run in a row/, 'the dry run before it counted nothing');
  const second = await plan(spec, { 'c/one': ['v1'] }, []);
  assert.deepEqual(second.candidates, [
    ['c/two:v1', `source repository ${REG}/c/two missing for 2 runs in a row (no longer in the source catalog)`],
  ]);
});

test('a NAME_UNKNOWN streak ends when the repository answers again', async () => {
  const spec: RuleSpec = { source: `${REG}/d/app`, prune: { graceRuns: 2 } };
  const gone = await plan(spec, {}, ['d/app:v1']);
  assert.match(String(gone.kept[0]?.[1]), /missing for 1 run in a row \(the source answers NAME_UNKNOWN\)/);
  await plan(spec, { 'd/app': ['v1'] }, []);
  const goneAgain = await plan(spec, {}, []);
  assert.match(String(goneAgain.kept[0]?.[1]), /missing for 1 run in a row/, 'counted from one again');
});

test('an owned tag that is not where the rule writes its source is kept', async () => {
  const rule = compileRule({ source: `${REG}/e/app`, target: 'tools/app', prune: true }, 'mirrors[0]');
  const key = ruleKey(rule, PLACE);
  await ledger.recordWritten(
    [
      {
        registry: PLACE.hostname,
        ruleKey: key,
        source: `${REG}/e/app:v1`,
        target: 'mirror:5000/m/e/app:v1',
        digest: `sha256:${'b'.repeat(64)}`,
      },
    ],
    1,
  );
  const expansion = await expandRule(rule, { lister: new FakeLister({ [REG]: { 'e/app': [] } }), target: PLACE });
  const result = await planRulePrune({ expansion, place: PLACE, selected: new Set(), ledger, dryRun: true, now: 2 });
  assert.ok(result);
  assert.deepEqual(result.candidates, []);
  assert.match(String(result.kept[0]?.note), /outside the rule's target path/);
});

test('the guard: more than maxFraction of the owned tags, or more than maxCount, is too many', () => {
  const policy = { graceRuns: 2, maxFraction: 0.1, maxCount: undefined };
  assert.equal(guardReason({ policy, owned: 20 }, 2), undefined);
  assert.equal(guardReason({ policy, owned: 20 }, 3), '15% of its 20 tags is more than prune.maxFraction 10%');
  assert.equal(guardReason({ policy: { ...policy, maxFraction: 1, maxCount: 2 }, owned: 20 }, 3), '3 is more than prune.maxCount 2');
  assert.equal(guardReason({ policy, owned: 20 }, 0), undefined);
});
