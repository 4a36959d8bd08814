/**
 * Pruning: target tags a rule wrote leave the mirror once the rule's selection no longer holds
 * their source, and nothing else ever does. Ownership comes from the history (OwnershipLedger);
 * planRulePrune decides, guardReason limits, deleteTags deletes the way the registry allows.
 */
export { pruneRegistry, type PruneRegistryInput, type PruneRegistryResult, type PruneProblem } from './prune-registry.js';
export { planRulePrune, guardReason, type RulePrunePlan, type PruneCandidate, type KeptTag } from './plan-prune.js';
export { deleteTags, referrerTags, type TargetRepository, type Deletion, type DeletionResult } from './delete-tags.js';
export { ruleKey } from './rule-key.js';
export type { PruneEvent } from './events.js';
