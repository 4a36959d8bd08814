import { parseReference } from '../reference/index.js';
import { mapTarget, type PrunePolicy, type RuleExpansion, type TargetPlace } from '../select/index.js';
import type { OwnedTag, OwnershipLedger } from '../store/index.js';
import type { RulePrunePlan } from './plan-prune.js';
import { LIST_LABEL, listKey } from './rule-key.js';
import { sourceStates, type SourceState } from './source-state.js';

/** A listed image's copy that failed because its source is gone: the image or its repository is unknown. */
const SOURCE_GONE = new Set(['IMAGE_NOT_FOUND', 'REPOSITORY_NOT_FOUND']);

export interface PlanListPruneInput {
  policy: PrunePolicy;
  /** Every expansion of the run; only the list's (`fromList`) are read. */
  expansions: readonly RuleExpansion[];
  place: TargetPlace;
  /** Every target tag this registry's run selected, from any rule, list or script. */
  selected: ReadonlySet<string>;
  /** The run's copies: a listed image whose source is gone counts towards graceRuns. */
  outcomes: ReadonlyArray<{ source: string; target: string; status: string; error?: { code: string } | undefined }>;
  /** Set when the list was not read whole (invalid script lines): nothing is pruned this run. */
  incomplete: string | undefined;
  ledger: OwnershipLedger;
  dryRun: boolean;
  now: number;
}

/**
 * Which tags the registry entry's `images:` list and syncer script own that may go this run. The
 * list is the selection: a tag whose image left it is a candidate; a listed image whose source is
 * gone (NAME_UNKNOWN, MANIFEST_UNKNOWN) is one once it has been gone `graceRuns` runs in a row; a
 * `repo:*` entry's tags follow its listing (a failed listing keeps them). Only tags the list wrote
 * into the entry's own target paths, and nothing at all when the list was not read whole.
 */
export async function planListPrune(input: PlanListPruneInput): Promise<RulePrunePlan> {
  const { policy, place, selected, ledger, dryRun, now } = input;
  const key = listKey(place);
  const owned = await ledger.ownedTags(key);
  const plan: RulePrunePlan = {
    rule: LIST_LABEL,
    key,
    policy,
    policyKey: 'pruneImages',
    owned: owned.length,
    candidates: [],
    kept: [],
    stillSelected: [],
  };
  const outcomes = new Map(input.outcomes.map((o) => [o.target, o]));
  const listings = input.expansions.filter((e) => e.rule.fromList && e.rule.source.kind === 'repository');
  const answered: string[] = [];
  // Counted once per source and run, however many of its tags the list wrote.
  const streaks = new Map<string, number>();
  const missing = async (what: string, detail: string, tag: OwnedTag): Promise<void> => {
    let runs = streaks.get(what);
    if (runs === undefined) {
      runs = dryRun ? (await ledger.missingRuns(key, what)) + 1 : await ledger.countMissing(key, what, now);
      streaks.set(what, runs);
    }
    const streak = `source ${what} missing for ${runs} run${runs === 1 ? '' : 's'} in a row (${detail})`;
    if (input.incomplete !== undefined)
      plan.kept.push({ owned: tag, note: `${streak}; the list was not read whole (${input.incomplete})` });
    else if (runs >= policy.graceRuns) plan.candidates.push({ owned: tag, reason: streak });
    else plan.kept.push({ owned: tag, note: `${streak}: its tags go after ${policy.graceRuns} (pruneImages.graceRuns)` });
  };
  for (const tag of owned) {
    const source = parseReference(tag.source);
    if (mapTarget(source, place, undefined).toString() !== tag.target || source.tag === undefined) {
      plan.kept.push({ owned: tag, note: "not where the list writes its source: outside the entry's target path" });
      continue;
    }
    if (selected.has(tag.target)) {
      const outcome = outcomes.get(tag.target);
      if (outcome?.source === tag.source && outcome.status === 'failed' && SOURCE_GONE.has(outcome.error?.code ?? '')) {
        await missing(tag.source, 'the source answers it is unknown', tag);
        continue;
      }
      plan.stillSelected.push(tag.target);
      // Found again; any other failure neither counts nor ends a streak.
      if (outcome?.status === 'copied' || outcome?.status === 'up-to-date') answered.push(tag.source);
      continue;
    }
    if (input.incomplete !== undefined) {
      plan.kept.push({ owned: tag, note: `the list was not read whole (${input.incomplete}): nothing of it is pruned this run` });
      continue;
    }
    const listing = listings.find(
      (e) =>
        e.rule.source.kind === 'repository' && e.rule.source.registry === source.registry && e.rule.source.repository === source.repository,
    );
    const state: SourceState | undefined = listing ? sourceStates(listing)(source.repository) : undefined;
    if (!state) plan.candidates.push({ owned: tag, reason: "no longer in the images list or the syncer script's output" });
    else if (state.kind === 'listed') {
      answered.push(`${source.registry}/${source.repository}`);
      plan.candidates.push({ owned: tag, reason: state.dropped.get(source.tag) ?? 'gone from the source' });
    } else if (state.kind === 'filtered') plan.candidates.push({ owned: tag, reason: state.reason });
    else if (state.kind === 'unknown')
      plan.kept.push({ owned: tag, note: `the source was not listed completely (${state.detail}): nothing of it is pruned this run` });
    else await missing(`${source.registry}/${source.repository}`, state.detail, tag);
  }
  if (!dryRun) {
    // A `repo:*` entry's repository that answered again ends its missing streak.
    answered.push(...listings.flatMap((e) => e.repositories.map((r) => `${r.registry}/${r.repository}`)));
    for (const what of new Set(answered)) await ledger.clearMissing(key, what);
    await ledger.markSeen(key, plan.stillSelected, now);
  }
  return plan;
}
