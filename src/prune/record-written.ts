import { parseReference } from '../reference/index.js';
import type { OwnedReferrer, OwnedTag } from '../store/index.js';
import type { PruneRegistryInput } from './prune-registry.js';
import { listKey, ruleKey } from './rule-key.js';

const LISTING_KINDS = new Set(['repository', 'namespace', 'registry']);

/** What this run copied becomes owned by each listing rule that selected it. */
export async function recordWritten(input: PruneRegistryInput): Promise<void> {
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
  await input.ledger.recordReferrers(referrersWritten(input.outcomes), input.now());
}

/**
 * The referrers each copy (or up-to-date check) wrote, under its target tag and the image it holds:
 * recorded whatever the rule, as ownership of the tag itself decides whether they are ever pruned.
 */
function referrersWritten(outcomes: PruneRegistryInput['outcomes']): OwnedReferrer[] {
  return outcomes.flatMap((o) =>
    (o.status === 'copied' || o.status === 'up-to-date') && o.digest !== undefined && parseReference(o.target).tag !== undefined
      ? (o.referrersWritten ?? []).map((r) => ({ target: o.target, imageDigest: o.digest ?? '', digest: r.digest, subject: r.subject }))
      : [],
  );
}
