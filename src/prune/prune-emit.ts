import { parseReference } from '../reference/index.js';
import type { TargetPlace } from '../select/index.js';
import type { PruneEvent } from './events.js';
import type { PruneCandidate, RulePrunePlan } from './plan-prune.js';

/** What a prune event says of a tag (or of a referrer deleted with one). */
export interface Owned {
  target: string;
  digest: string;
  source: string;
  lastSeenAt: number;
  referrerOf?: string;
}

/** Where a registry's prune events go. */
export interface PruneEmitter {
  place: TargetPlace;
  emit: (event: PruneEvent) => void;
  now: () => number;
}

export function emitPrune(
  input: PruneEmitter,
  plan: RulePrunePlan,
  owned: Owned,
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
    ...(owned.referrerOf === undefined ? {} : { referrerOf: owned.referrerOf }),
    time: input.now(),
  });
}

/** A referrer as a prune event names it: `host/name@digest`, `referrerOf` its image's tag. */
export function referrerOf(owned: Owned, digest: string): Owned & { referrerOf: string } {
  const tag = parseReference(owned.target).tag ?? '';
  const target = `${owned.target.slice(0, owned.target.length - tag.length - 1)}@${digest}`;
  return { target, digest, source: owned.source, lastSeenAt: owned.lastSeenAt, referrerOf: owned.target };
}

export const referrerReason = (owned: Owned, candidate: PruneCandidate): string => `referrer of ${owned.target}, ${candidate.reason}`;
