import { describeSource, type SelectionRule, type TargetPlace } from '../select/index.js';

/**
 * What a rule is called in the ownership records: its source and where it writes, not its position
 * in the file (`mirrors[3]` changes when a rule is inserted above it). Two rules with the same key
 * mirror the same thing to the same place, so sharing what they own is right. A changed source or
 * target is another rule: the old one's tags are never pruned by it.
 */
export function ruleKey(rule: SelectionRule, place: TargetPlace): string {
  const where = `${place.hostname}/${place.repository}`;
  return `${describeSource(rule.source)} -> ${where}${rule.target === undefined ? '' : ` as ${rule.target}`}`;
}

/** What a registry entry's `images:` list and syncer script own together (`pruneImages:`): one owner per target place. */
export function listKey(place: TargetPlace): string {
  return `images list and syncer script -> ${place.hostname}/${place.repository}`;
}

/** How messages name the list's pruning. */
export const LIST_LABEL = 'pruneImages';
