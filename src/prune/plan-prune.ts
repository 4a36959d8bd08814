import { parseReference } from '../reference/index.js';
import { mapTarget, type PrunePolicy, type RuleExpansion, type TargetPlace } from '../select/index.js';
import type { OwnedTag, OwnershipLedger } from '../store/index.js';
import { ruleKey } from './rule-key.js';
import { sourceStates, type SourceState } from './source-state.js';

/** One owned tag the rule's selection no longer holds, and what this run makes of it. */
export interface PruneCandidate {
  owned: OwnedTag;
  /** Why it may go: `gone from the source`, `dropped by exclude: ...`, `source repository missing for 2 runs (...)`. */
  reason: string;
}

/** An owned tag no longer selected that stays this run, and why. */
export interface KeptTag {
  owned: OwnedTag;
  note: string;
}

export interface RulePrunePlan {
  rule: string;
  key: string;
  policy: PrunePolicy;
  /** Where its limits are set, for messages: `prune` (a rule's), `pruneImages` (a registry entry's list). */
  policyKey?: string;
  /** Tags the rule owns at the target (before this run's deletions): what the guard's fraction is of. */
  owned: number;
  candidates: PruneCandidate[];
  kept: KeptTag[];
  /** Owned tags the rule still selects (their last-seen time moves on). */
  stillSelected: string[];
}

export interface PlanPruneInput {
  expansion: RuleExpansion;
  place: TargetPlace;
  /** Every target tag this registry's run selected, from any rule, list or script: none of them is ever pruned. */
  selected: ReadonlySet<string>;
  ledger: OwnershipLedger;
  /** A dry run counts a missing repository's run without recording it. */
  dryRun: boolean;
  now: number;
}

/**
 * Which of the tags a rule owns may go this run. Only tags picture-book's records say this rule
 * wrote are considered; each must map from its source to itself under the rule's target path
 * (anything else is not this rule's to touch); a tag any selection of the run still holds stays; a
 * source repository whose listing failed keeps all its tags; one the registry says is gone keeps
 * them until it has been missing for `graceRuns` runs in a row. Missing streaks are recorded here
 * (not on a dry run).
 */
export async function planRulePrune(input: PlanPruneInput): Promise<RulePrunePlan | undefined> {
  const { expansion, place, selected, ledger, dryRun, now } = input;
  const policy = expansion.rule.prune;
  if (!policy) return undefined;
  const key = ruleKey(expansion.rule, place);
  const owned = await ledger.ownedTags(key);
  const plan: RulePrunePlan = { rule: expansion.rule.label, key, policy, owned: owned.length, candidates: [], kept: [], stillSelected: [] };
  const stateOf = sourceStates(expansion);
  const states = new Map<string, SourceState>();
  const missingRuns = new Map<string, number>();
  const state = (repository: string): SourceState => {
    let found = states.get(repository);
    if (!found) states.set(repository, (found = stateOf(repository)));
    return found;
  };
  for (const tag of owned) {
    if (selected.has(tag.target)) {
      plan.stillSelected.push(tag.target);
      continue;
    }
    const source = parseReference(tag.source);
    if (mapTarget(source, place, expansion.rule.target).toString() !== tag.target || source.tag === undefined) {
      plan.kept.push({ owned: tag, note: "not where this rule writes its source: outside the rule's target path" });
      continue;
    }
    const found = state(source.repository);
    if (found.kind === 'listed') {
      plan.candidates.push({ owned: tag, reason: found.dropped.get(source.tag) ?? 'gone from the source' });
    } else if (found.kind === 'filtered') {
      plan.candidates.push({ owned: tag, reason: found.reason });
    } else if (found.kind === 'unknown') {
      plan.kept.push({ owned: tag, note: `the source was not listed completely (${found.detail}): nothing of it is pruned this run` });
    } else {
      let runs = missingRuns.get(source.repository);
      if (runs === undefined) {
        runs = dryRun ? (await ledger.missingRuns(key, source.repository)) + 1 : await ledger.countMissing(key, source.repository, now);
        missingRuns.set(source.repository, runs);
      }
      const streak = `source repository ${source.registry}/${source.repository} missing for ${runs} run${runs === 1 ? '' : 's'} in a row (${found.detail})`;
      if (runs >= policy.graceRuns) plan.candidates.push({ owned: tag, reason: streak });
      else plan.kept.push({ owned: tag, note: `${streak}: its tags go after ${policy.graceRuns} (prune.graceRuns)` });
    }
  }
  if (!dryRun) {
    // A repository that answered again ends its missing streak.
    const answered = [...states]
      .filter(([, found]) => found.kind === 'listed' || found.kind === 'filtered')
      .map(([repository]) => repository);
    answered.push(...expansion.repositories.map((r) => r.repository).filter((repository) => !states.has(repository)));
    for (const repository of answered) await ledger.clearMissing(key, repository);
    await ledger.markSeen(key, plan.stillSelected, now);
  }
  return plan;
}

/** The guard: why this many deletions is too many for the rule, or undefined when it is not. */
export function guardReason(plan: Pick<RulePrunePlan, 'policy' | 'owned' | 'policyKey'>, deletions: number): string | undefined {
  if (deletions === 0) return undefined;
  const { maxFraction, maxCount } = plan.policy;
  const key = plan.policyKey ?? 'prune';
  const share = plan.owned === 0 ? 1 : deletions / plan.owned;
  const percent = (n: number): string => `${Math.round(n * 1000) / 10}%`;
  if (maxCount !== undefined && deletions > maxCount) return `${deletions} is more than ${key}.maxCount ${maxCount}`;
  if (share > maxFraction) return `${percent(share)} of its ${plan.owned} tags is more than ${key}.maxFraction ${percent(maxFraction)}`;
  return undefined;
}
