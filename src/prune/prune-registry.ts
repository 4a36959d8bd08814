import { errorMessage, PictureBookError } from '../errors/index.js';
import type { ImageOutcome } from '../load/run-outcome.js';
import { parseReference } from '../reference/index.js';
import type { PlannedImage, PrunePolicy, RuleExpansion, TargetPlace } from '../select/index.js';
import type { OwnershipLedger, SkippedPrune } from '../store/index.js';
import { deleteTags, type DeleteCapabilities, type Deletion, type DeletionResult, type TargetRepository } from './delete-tags.js';
import type { PruneEvent } from './events.js';
import { emitPrune as emit } from './prune-emit.js';
import { guardReason, planRulePrune, type PruneCandidate, type RulePrunePlan } from './plan-prune.js';
import { planListPrune } from './plan-list-prune.js';
import { recordWritten } from './record-written.js';
import type { RecordedReferrer } from './recorded-referrers.js';
import { settleReferrers } from './settle-referrers.js';

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
    const recorded = await recordedReferrers(input.ledger, candidates[0]?.owned.target ?? '');
    const outcomes = await deleteTags(await input.target(repository), deletions, capabilities, input.dryRun, recorded);
    for (const outcome of outcomes) {
      const candidate = candidates.find((c) => parseReference(c.owned.target).tag === outcome.tag);
      if (!candidate) continue;
      deleted += await settle(input, plan, candidate, outcome, result);
    }
  }
  return deleted;
}

/** The referrers recorded for the tags of the repository of `target` (`host/name:tag`). */
async function recordedReferrers(ledger: OwnershipLedger, target: string): Promise<RecordedReferrer[]> {
  const tag = parseReference(target).tag ?? '';
  const rows = await ledger.ownedReferrers(target.slice(0, target.length - tag.length - 1));
  return rows.map((r) => ({
    tag: r.target.slice(target.length - tag.length),
    imageDigest: r.imageDigest,
    digest: r.digest,
    subject: r.subject,
    ...(r.owed ? { owed: true } : {}),
  }));
}

async function settle(
  input: PruneRegistryInput,
  plan: RulePrunePlan,
  candidate: PruneCandidate,
  outcome: DeletionResult,
  result: PruneRegistryResult,
): Promise<number> {
  const { owned } = candidate;
  const failed = (messages: string[]) => {
    for (const message of messages) result.problems.push({ code: 'PRUNE_FAILED', severity: 'error', rule: plan.rule, message });
  };
  switch (outcome.action) {
    case 'would-delete':
      emit(input, plan, owned, 'would-delete', candidate.reason, outcome.referrers);
      failed(await settleReferrers(input, plan, candidate, outcome));
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
      // A referrer left behind keeps the tag owned: the next run finds it gone and tries the referrer again.
      if (outcome.referrerFailures.length === 0) await input.ledger.release(plan.key, owned.target);
      emit(input, plan, owned, 'deleted', candidate.reason, outcome.referrers);
      failed(await settleReferrers(input, plan, candidate, outcome));
      return 1;
    case 'released':
      if (!input.dryRun && outcome.referrerFailures.length === 0) await input.ledger.release(plan.key, owned.target);
      emit(input, plan, owned, 'released', outcome.note);
      failed(await settleReferrers(input, plan, candidate, outcome));
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
