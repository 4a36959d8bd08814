import type { Reference } from '../reference/index.js';
import { targetReference } from '../select/target-reference.js';

/** Where a target registry puts what it mirrors: its host and its path prefix (`repository:` in config.yaml). */
export interface TargetPlace {
  hostname: string;
  repository: string;
}

/**
 * The target of one selected image: `hostname/repository/<source path>:<tag>` as for `images:`
 * (the one mapping, in target-reference.ts), with `<source path>` replaced by the rule's `target:`
 * rename when it has one. Tags and digests keep their values, unless `tag` renames the tag.
 */
export function mapTarget(source: Reference, place: TargetPlace, rename?: string, tag?: string): Reference {
  const named = rename === undefined ? source : source.withRepository(rename);
  const target = targetReference(named, place.hostname, place.repository);
  return tag === undefined ? target : target.withTag(tag);
}
