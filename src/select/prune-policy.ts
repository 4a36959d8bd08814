import { RuleError } from './rule-error.js';

/** A rule's `prune:` as written: `true`, or the guards to use. */
export type PruneSpec =
  | boolean
  | {
      graceRuns?: number | undefined;
      maxFraction?: number | undefined;
      maxCount?: number | undefined;
    };

/** How a rule prunes (pruning is on whenever a rule has a policy). */
export interface PrunePolicy {
  /** Runs in a row a source repository must answer NAME_UNKNOWN before its tags may go. */
  graceRuns: number;
  /** A run that would delete more than this share of the rule's mirrored tags deletes nothing. */
  maxFraction: number;
  /** A run that would delete more than this many of the rule's tags deletes nothing (none: no count limit). */
  maxCount: number | undefined;
}

export const DEFAULT_GRACE_RUNS = 2;
export const DEFAULT_MAX_FRACTION = 0.1;

function wholeAtLeast(value: number | undefined, min: number, key: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) throw new RuleError(['prune', key], `must be a whole number, at least ${min}: got ${value}`);
  return value;
}

/**
 * Checks and fills in a rule's `prune:`; undefined when the rule does not prune. Only rules that
 * list their source may prune: a one-image or tag-list source names what it mirrors, so there is
 * nothing whose departure pruning could follow.
 */
export function compilePrunePolicy(spec: PruneSpec | undefined, listsSource: boolean): PrunePolicy | undefined {
  if (spec === undefined || spec === false) return undefined;
  if (!listsSource)
    throw new RuleError(
      ['prune'],
      'prunes what left a listed source, but this source names its images (a tag or digest): use a repository, namespace or registry source',
    );
  const given = spec === true ? {} : spec;
  const fraction = given.maxFraction;
  if (fraction !== undefined && !(fraction >= 0 && fraction <= 1))
    throw new RuleError(['prune', 'maxFraction'], `must be between 0 and 1 (0.1 is 10%): got ${fraction}`);
  return {
    graceRuns: wholeAtLeast(given.graceRuns, 1, 'graceRuns') ?? DEFAULT_GRACE_RUNS,
    maxFraction: fraction ?? DEFAULT_MAX_FRACTION,
    maxCount: wholeAtLeast(given.maxCount, 0, 'maxCount'),
  };
}
