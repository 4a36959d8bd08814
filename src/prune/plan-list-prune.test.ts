import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { NetworkError } from '../errors/index.js';
import { compilePrunePolicy, expandRule, parseImageEntry, referenceRule, type SelectionRule } from '../select/index.js';
import { FakeLister } from '../select/lister-test-kit.js';
import { SqliteRunStore } from '../store/index.js';
import { planListPrune } from './plan-list-prune.js';
import { listKey } from './rule-key.js';

const REG = 'src.example:5000';
const PLACE = { hostname: 'mirror:5000', repository: 'm' };
const KEY = listKey(PLACE);
const DIGEST = `sha256:${'a'.repeat(64)}`;

interface Outcome {
  source: string;
  target: string;
  status: string;
  error?: { code: string };
}

/** A fresh history holding `owned` (source refs under REG, written to mirror:5000/m/...) as the list's. */
async function ledgerOwning(owned: string[], extra: Array<{ source: string; target: string }> = []) {
  const store = SqliteRunStore.open(':memory:');
  after(() => store.close());
  const written = [...owned.map((ref) => ({ source: `${REG}/${ref}`, target: `mirror:5000/m/${ref}` })), ...extra].map((w) => ({
    registry: PLACE.hostname,
    ruleKey: KEY,
    digest: DIGEST,
    ...w,
  }));
  await store.ownership.recordWritten(written, 1);
  return store.ownership;
}

/** The list's entries as rules (as registryRules makes them), expanded against `registry`. */
async function expand(entries: string[], registry: Record<string, string[]>, lister?: (l: FakeLister) => void) {
  const fake = new FakeLister({ [REG]: registry });
  lister?.(fake);
  const rules: SelectionRule[] = entries.map((text, i) => {
    const entry = parseImageEntry(text, `images[${i}]`);
    return { ...(entry.kind === 'reference' ? referenceRule(entry.reference, `images[${i}]`) : entry.rule), fromList: true };
  });
  return Promise.all(rules.map((rule) => expandRule(rule, { lister: fake, target: PLACE })));
}

async function plan(
  ledger: Awaited<ReturnType<typeof ledgerOwning>>,
  expansions: Awaited<ReturnType<typeof expand>>,
  options: { outcomes?: Outcome[]; incomplete?: string; dryRun?: boolean; now?: number } = {},
) {
  const selected = new Set(expansions.flatMap((e) => e.images.map((i) => i.target)));
  const result = await planListPrune({
    policy: compilePrunePolicy(true, true) ?? assert.fail('a policy'),
    expansions,
    place: PLACE,
    selected,
    outcomes: options.outcomes ?? [],
    incomplete: options.incomplete,
    ledger,
    dryRun: options.dryRun ?? false,
    now: options.now ?? 2,
  });
  const short = (target: string) => target.replace('mirror:5000/m/', '');
  return {
    rule: result.rule,
    candidates: result.candidates.map((c) => [short(c.owned.target), c.reason]),
    kept: result.kept.map((k) => [short(k.owned.target), k.note]),
    stillSelected: result.stillSelected.map(short),
  };
}

test('an image removed from the list is a candidate; one still listed stays', async () => {
  const ledger = await ledgerOwning(['a/app:v1', 'a/app:v2']);
  const result = await plan(ledger, await expand([`${REG}/a/app:v1`], { 'a/app': ['v1', 'v2'] }));
  assert.equal(result.rule, 'pruneImages');
  assert.deepEqual(result.stillSelected, ['a/app:v1']);
  assert.deepEqual(result.candidates, [['a/app:v2', "no longer in the images list or the syncer script's output"]]);
});

test('a listed image whose source is gone goes only after graceRuns runs in a row; found again, the count ends', async () => {
  const ledger = await ledgerOwning(['a/app:v1']);
  const expansions = await expand([`${REG}/a/app:v1`], { 'a/app': ['v1'] });
  const lost: Outcome = {
    source: `${REG}/a/app:v1`,
    target: 'mirror:5000/m/a/app:v1',
    status: 'failed',
    error: { code: 'IMAGE_NOT_FOUND' },
  };
  const gone = [lost];
  const first = await plan(ledger, expansions, { outcomes: gone });
  assert.deepEqual(first.candidates, []);
  assert.match(String(first.kept[0]?.[1]), /missing for 1 run in a row .*: its tags go after 2 \(pruneImages\.graceRuns\)$/);
  const dry = await plan(ledger, expansions, { outcomes: gone, dryRun: true });
  assert.match(String(dry.candidates[0]?.[1]), /missing for 2 runs in a row/, 'a dry run says what the next run would do');
  const again = await plan(ledger, expansions, { outcomes: [{ source: lost.source, target: lost.target, status: 'up-to-date' }] });
  assert.deepEqual(again.stillSelected, ['a/app:v1']);
  const afterReset = await plan(ledger, expansions, { outcomes: gone });
  assert.deepEqual(afterReset.candidates, [], 'the streak started over');
  const second = await plan(ledger, expansions, { outcomes: gone });
  assert.deepEqual(
    second.candidates.map(([tag]) => tag),
    ['a/app:v1'],
  );
  // Another failure (a network error) neither counts nor prunes.
  const other = await plan(await ledgerOwning(['a/app:v1']), expansions, {
    outcomes: [{ ...lost, error: { code: 'NETWORK' } }],
  });
  assert.deepEqual(other.candidates, []);
  assert.deepEqual(other.stillSelected, ['a/app:v1']);
});

test('a list not read whole prunes nothing; a tag outside the entry target path is never a candidate', async () => {
  const ledger = await ledgerOwning(['a/app:v2'], [{ source: `${REG}/a/app:v3`, target: 'mirror:5000/elsewhere/a/app:v3' }]);
  const expansions = await expand([`${REG}/a/app:v1`], { 'a/app': ['v1'] });
  const incomplete = await plan(ledger, expansions, { incomplete: '1 line of the syncer script could not be read' });
  assert.deepEqual(incomplete.candidates, []);
  assert.deepEqual(
    incomplete.kept.map(([, note]) => note).sort(),
    [
      'the list was not read whole (1 line of the syncer script could not be read): nothing of it is pruned this run',
      "not where the list writes its source: outside the entry's target path",
    ].sort(),
  );
  const whole = await plan(ledger, expansions);
  assert.deepEqual(
    whole.candidates.map(([tag]) => tag),
    ['a/app:v2'],
  );
});

test("a repo:* entry's tags follow its listing: gone from the source goes, a failed listing keeps", async () => {
  const ledger = await ledgerOwning(['b/app:v1', 'b/app:v2']);
  const failed = await plan(
    ledger,
    await expand([`${REG}/b/app:*`], { 'b/app': ['v1'] }, (l) =>
      l.failures.set(`${REG}/b/app`, new NetworkError('GET', 'http://x/v2/b/app/tags/list', 'connection reset')),
    ),
  );
  assert.deepEqual(failed.candidates, []);
  assert.match(String(failed.kept.find(([tag]) => tag === 'b/app:v2')?.[1]), /^the source was not listed completely/);
  const listed = await plan(ledger, await expand([`${REG}/b/app:*`], { 'b/app': ['v1'] }));
  assert.deepEqual(listed.candidates, [['b/app:v2', 'gone from the source']]);
  assert.deepEqual(listed.stillSelected, ['b/app:v1']);
});
