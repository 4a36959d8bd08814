import { errorMessage } from '../errors/index.js';
import { parseReference } from '../reference/index.js';
import type { OwnershipLedger } from '../store/index.js';
import type { ReferrerOutcome } from './delete-tags.js';
import type { PruneCandidate, RulePrunePlan } from './plan-prune.js';
import { emitPrune, referrerOf, referrerReason, type PruneEmitter } from './prune-emit.js';

/** What settling a tag's referrers needs of the registry's prune step. */
export interface ReferrerSettling extends PruneEmitter {
  ledger: OwnershipLedger;
  runId: number | undefined;
  dryRun: boolean;
}

/**
 * The referrers that went (or, on a dry run, would go) with a tag, each a deletion of its own:
 * recorded, logged and counted as one. Those that failed are logged as failed and their records
 * kept (or made, for one a tag led to) so the next run tries again; those kept because other tags
 * stay at the same digest are recorded for those tags; the rest of the tag's records are forgotten,
 * unless the tag was pushed over (`keepsRecords`): then they stay. Returns a message per failure, naming the referrer, its image, the registry and why.
 */
export async function settleReferrers(
  input: ReferrerSettling,
  plan: RulePrunePlan,
  candidate: PruneCandidate,
  outcome: ReferrerOutcome,
): Promise<string[]> {
  const { owned } = candidate;
  const reason = referrerReason(owned, candidate);
  for (const digest of outcome.referrerDigests) {
    const referrer = referrerOf(owned, digest);
    if (!input.dryRun)
      await input.ledger.recordPruned({
        runId: input.runId ?? null,
        registry: input.place.hostname,
        rule: plan.rule,
        target: referrer.target,
        digest,
        reason,
        prunedAt: input.now(),
      });
    emitPrune(input, plan, referrer, input.dryRun ? 'would-delete' : 'deleted', reason);
  }
  const messages: string[] = [];
  for (const failure of outcome.referrerFailures) {
    const referrer = referrerOf(owned, failure.digest);
    const why = errorMessage(failure.error);
    messages.push(
      `${plan.rule}: deleting ${referrer.target} (a referrer of ${owned.target}) at ${input.place.hostname} failed: ${why}; its record is kept and the next run tries again`,
    );
    emitPrune(input, plan, referrer, 'failed', why);
  }
  if (input.dryRun) return messages;
  // Kept for the tags that stay at the same digest: theirs now, deleted when the last of them goes.
  const tag = parseReference(owned.target).tag ?? '';
  const repository = owned.target.slice(0, owned.target.length - tag.length);
  const handedOver = (outcome.handedOver ?? []).map((r) => ({
    target: `${repository}${r.tag}`,
    imageDigest: r.imageDigest,
    digest: r.digest,
    subject: r.subject,
  }));
  if (handedOver.length > 0) await input.ledger.recordReferrers(handedOver, input.now());
  const failures = outcome.referrerFailures;
  if (failures.length === 0 && outcome.keepsRecords !== true) {
    await input.ledger.forgetReferrers(owned.target);
    return messages;
  }
  // Pushed over: only what went and what passed to the tags at its old digest leave its records.
  const settled = outcome.keepsRecords ? [...outcome.referrerDigests, ...handedOver.map((r) => r.digest)] : outcome.referrerDigests;
  await input.ledger.forgetReferrers(owned.target, settled);
  if (failures.length === 0) return messages;
  const at = input.now();
  await input.ledger.recordReferrers(
    failures.map((f) => ({ target: owned.target, imageDigest: owned.digest, digest: f.digest, subject: f.subject, owed: true })),
    at,
  );
  return messages;
}
