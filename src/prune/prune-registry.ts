import { errorMessage, PictureBookError } from '../errors/index.js';
import type { ImageOutcome } from '../load/run-outcome.js';
import { parseReference } from '../reference/index.js';
import type { PlannedImage, PrunePolicy, RuleExpansion, TargetPlace } from '../select/index.js';
import type { OwnedTag, OwnershipLedger, SkippedPrune } from '../store/index.js';
import { deleteTags, type DeleteCapabilities, type Deletion, type DeletionResult, type TargetRepository } from './delete-tags.js';
import type { PruneEvent } from './events.js';
import { guardReason, planRulePrune, type PruneCandidate, type RulePrunePlan } from './plan-prune.js';
import { planListPrune } from './plan-list-prune.js';
import { listKey, ruleKey } from './rule-key.js';

export interface PruneRegistryInput {
  place: TargetPlace;
  expansions: readonly RuleExpansion[];
  images: readonly PlannedImage[];
  /** The run's copies: what picture-book wrote this run becomes its own. */
  outcomes: readonly ImageOutcome[];
  ledger: OwnershipLedger;
  /** The target repository, opened for push (its endpoint may ask a credential helper). */
  target: (repository: string) => Promise<TargetRepository>;
  dryRun: boolean;
  /** The registry entry's `pruneImages:`: its `images:` list and syncer script prune too. */
  listPolicy?: PrunePolicy | undefined;
  /** Why the list was not read whole this run (invalid script lines): the list prunes nothing. */
  listIncomplete?: string | undefined;
  /** Lifts the guards for this run (`--prune-confirm`, the API's action). */
  confirm: boolean;
  runId: number | undefined;
  emit: (event: PruneEvent) => void;
  now: () => number;
}

/** A guard stop or a failed deletion, reported with the selection's problems. */
export interface PruneProblem {
  code: 'PRUNE_BLOCKED' | 'PRUNE_FAILED';
  severity: 'error';
  rule: string;
  message: string;
}

export interface PruneRegistryResult {
  /** Guard stops and deletion failures: errors that fail the registry's run. */
  problems: PruneProblem[];
  deleted: number;
}

const LISTING_KINDS = new Set(['repository', 'namespace', 'registry']);

/** What this run copied becomes owned by each listing rule that selected it. */
async function recordWritten(input: PruneRegistryInput): Promise<void> {
  const byLabel = new Map(input.expansions.filter((e) => LISTING_KINDS.has(e.rule.source.kind)).map((e) => [e.rule.label, e.rule]));
  const copied = new Map(input.outcomes.filter((o) => o.status === 'copied' && o.digest !== undefined).map((o) => [o.target, o]));
  const written: Array<Omit<OwnedTag, 'lastSeenAt' | 'writtenAt'>> = [];
  const fromList = new Set(input.expansions.filter((e) => e.rule.fromList).map((e) => e.rule.label));
  for (const image of input.images) {
    const outcome = copied.get(image.target);
    if (!outcome?.digest || parseReference(image.target).tag === undefined) continue;
    // The list owns what any of its entries wrote (recorded whether or not it prunes, so turning pruneImages on knows).
    if (image.rules.some((label) => fromList.has(label)))
      written.push({
        registry: input.place.hostname,
        ruleKey: listKey(input.place),
        target: image.target,
        source: image.source,
        digest: outcome.digest,
      });
    for (const label of image.rules) {
      const rule = byLabel.get(label);
      if (rule)
        written.push({
          registry: input.place.hostname,
          ruleKey: ruleKey(rule, input.place),
          target: image.target,
          source: image.source,
          digest: outcome.digest,
        });
    }
  }
  await input.ledger.recordWritten(written, input.now());
}

/**
 * The prune step of one registry's run, after its copies: records what the run wrote, then for
 * each rule with `prune:` finds the tags it owns that its selection left (planRulePrune), applies
 * the guards, and deletes them from the target (deleteTags), recording each deletion. A dry run
 * records nothing and deletes nothing, and says what it would do.
 */
export async function pruneRegistry(given: PruneRegistryInput): Promise<PruneRegistryResult> {
  const skipped: SkippedPrune[] = [];
  const input = { ...given, emit: keepSkipped(given, skipped) };
  try {
    return await pruneTargets(input);
  } finally {
    if (skipped.length > 0) await input.ledger.recordSkipped(skipped);
  }
}

/** A run's kept and failed prunes are recorded with it (the run's page shows them); a dry run's are not. */
function keepSkipped(input: PruneRegistryInput, skipped: SkippedPrune[]): (event: PruneEvent) => void {
  return (event) => {
    const { runId } = input;
    if (runId !== undefined && !input.dryRun && (event.action === 'kept' || event.action === 'failed')) {
      const { rule, target, digest, action: outcome, reason, time: at } = event;
      skipped.push({ runId, rule, target, digest, outcome, reason, at });
    }
    input.emit(event);
  };
}

async function pruneTargets(input: PruneRegistryInput): Promise<PruneRegistryResult> {
  const result: PruneRegistryResult = { problems: [], deleted: 0 };
  if (!input.dryRun) await recordWritten(input);
  const selected = new Set(input.expansions.flatMap((e) => e.images.map((i) => i.target)));
  const capabilities: DeleteCapabilities = {};
  const plans: RulePrunePlan[] = [];
  for (const expansion of input.expansions) {
    if (!expansion.rule.prune) continue;
    const plan = await planRulePrune({
      expansion,
      place: input.place,
      selected,
      ledger: input.ledger,
      dryRun: input.dryRun,
      now: input.now(),
    });
    if (plan) plans.push(plan);
  }
  if (input.listPolicy)
    plans.push(
      await planListPrune({
        policy: input.listPolicy,
        expansions: input.expansions,
        place: input.place,
        selected,
        outcomes: input.outcomes,
        incomplete: input.listIncomplete,
        ledger: input.ledger,
        dryRun: input.dryRun,
        now: input.now(),
      }),
    );
  for (const plan of plans) {
    for (const kept of plan.kept) emit(input, plan, kept.owned, 'kept', kept.note);
    const blocked = guardReason(plan, plan.candidates.length);
    if (blocked !== undefined && !input.confirm) {
      const message = `${plan.rule}: prune stopped by its guard: it would delete ${plan.candidates.length} tag${plan.candidates.length === 1 ? '' : 's'} (${blocked}); nothing was deleted. If that is right, run once with --prune-confirm (sync: POST /ops?sync=${input.place.hostname}&action=prune-confirm) or raise the ${plan.policyKey ?? 'prune'} limits`;
      result.problems.push({ code: 'PRUNE_BLOCKED', severity: 'error', rule: plan.rule, message });
      for (const c of plan.candidates) emit(input, plan, c.owned, 'kept', `${c.reason}; held by the guard (${blocked})`);
      continue;
    }
    try {
      result.deleted += await pruneRule(input, plan, capabilities, result);
    } catch (error) {
      // Deletes disabled: no rule of this registry can delete anything.
      result.problems.push({ code: 'PRUNE_FAILED', severity: 'error', rule: plan.rule, message: `${plan.rule}: ${errorMessage(error)}` });
      for (const c of plan.candidates) emit(input, plan, c.owned, 'failed', errorMessage(error));
      if (error instanceof PictureBookError && error.code === 'DELETE_DISABLED') break;
    }
  }
  return result;
}

async function pruneRule(
  input: PruneRegistryInput,
  plan: RulePrunePlan,
  capabilities: DeleteCapabilities,
  result: PruneRegistryResult,
): Promise<number> {
  const byRepository = new Map<string, PruneCandidate[]>();
  for (const c of plan.candidates) {
    const repository = parseReference(c.owned.target).repository;
    byRepository.set(repository, [...(byRepository.get(repository) ?? []), c]);
  }
  let deleted = 0;
  for (const [repository, candidates] of byRepository) {
    const deletions: Deletion[] = candidates.map((c) => ({ tag: parseReference(c.owned.target).tag ?? '', digest: c.owned.digest }));
    const outcomes = await deleteTags(await input.target(repository), deletions, capabilities, input.dryRun);
    for (const outcome of outcomes) {
      const candidate = candidates.find((c) => parseReference(c.owned.target).tag === outcome.tag);
      if (!candidate) continue;
      deleted += await settle(input, plan, candidate, outcome, result);
    }
  }
  return deleted;
}

async function settle(
  input: PruneRegistryInput,
  plan: RulePrunePlan,
  candidate: PruneCandidate,
  outcome: DeletionResult,
  result: PruneRegistryResult,
): Promise<number> {
  const { owned } = candidate;
  switch (outcome.action) {
    case 'would-delete':
      emit(input, plan, owned, 'would-delete', candidate.reason, outcome.referrers);
      return 0;
    case 'deleted':
      await input.ledger.recordPruned({
        runId: input.runId ?? null,
        registry: input.place.hostname,
        rule: plan.rule,
        target: owned.target,
        digest: owned.digest,
        reason: candidate.reason,
        prunedAt: input.now(),
      });
      await input.ledger.release(plan.key, owned.target);
      emit(input, plan, owned, 'deleted', candidate.reason, outcome.referrers);
      return 1;
    case 'released':
      if (!input.dryRun) await input.ledger.release(plan.key, owned.target);
      emit(input, plan, owned, 'released', outcome.note);
      return 0;
    case 'kept':
      emit(input, plan, owned, 'kept', outcome.note);
      return 0;
    case 'failed': {
      const message = `${plan.rule}: deleting ${owned.target} failed: ${errorMessage(outcome.error)}`;
      result.problems.push({ code: 'PRUNE_FAILED', severity: 'error', rule: plan.rule, message });
      emit(input, plan, owned, 'failed', errorMessage(outcome.error));
      return 0;
    }
  }
}

function emit(
  input: PruneRegistryInput,
  plan: RulePrunePlan,
  owned: { target: string; digest: string; source: string; lastSeenAt: number },
  action: PruneEvent['action'],
  reason: string,
  referrers?: string[],
): void {
  input.emit({
    type: 'prune',
    registry: input.place.hostname,
    rule: plan.rule,
    target: owned.target,
    digest: owned.digest,
    action,
    reason,
    source: owned.source,
    lastSeenAt: owned.lastSeenAt,
    ...(referrers && referrers.length > 0 ? { referrers } : {}),
    time: input.now(),
  });
}
