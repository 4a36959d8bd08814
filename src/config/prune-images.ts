import { compilePrunePolicy, type PruneSpec } from '../select/prune-policy.js';
import { RuleError } from '../select/rule-error.js';

/** What is wrong with an entry's `pruneImages:`: its guards, or nothing for it to prune. */
export function pruneImagesProblem(r: {
  pruneImages?: PruneSpec | undefined;
  images: string[];
  syncerScript?: unknown;
}): { path: Array<string | number>; message: string } | undefined {
  if (r.pruneImages === undefined || r.pruneImages === false) return undefined;
  if (r.images.length === 0 && r.syncerScript === undefined)
    return {
      path: ['pruneImages'],
      message:
        'prunes what the images: list or the syncerScript wrote, but this entry has neither (a mirrors: rule prunes with its own prune:)',
    };
  try {
    compilePrunePolicy(r.pruneImages, true);
    return undefined;
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    return { path: ['pruneImages', ...error.field.slice(1)], message: error.message };
  }
}
