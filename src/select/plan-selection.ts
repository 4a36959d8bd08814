import { Limiter } from '../copy/limiter.js';
import { expandRule, type ExpandContext } from './expand-rule.js';
import type { RuleExpansion, SelectionProblem } from './expansion.js';
import { mergeSelections, type PlannedImage } from './merge-selections.js';
import type { SelectionRule } from './rule.js';

/** Everything one target registry mirrors, decided before any copy. */
export interface SelectionPlan {
  /** Per rule, in the given order: what it listed, kept and dropped (the dry-run's detail). */
  expansions: RuleExpansion[];
  /** The images to copy, each once. */
  images: PlannedImage[];
  /** Every rule's problems in rule order, then the target collisions. */
  problems: SelectionProblem[];
}

/**
 * Expands every rule of one target registry (concurrently, their tag listings sharing one limit)
 * and merges the results: duplicates become one copy, collisions become errors. `images:` entries
 * and syncer-script lines come in as rules too (`referenceRule`, `parseImageEntry`), so they are
 * de-duplicated and checked for collisions with everything else.
 */
export async function planSelection(rules: readonly SelectionRule[], context: ExpandContext): Promise<SelectionPlan> {
  const shared: ExpandContext = { ...context, limiter: context.limiter ?? new Limiter(8) };
  const expansions = await Promise.all(rules.map((rule) => expandRule(rule, shared)));
  const merged = mergeSelections(expansions.flatMap((e) => e.images));
  return { expansions, images: merged.images, problems: [...expansions.flatMap((e) => e.problems), ...merged.problems] };
}

/** True when the plan has a problem that must fail the run (warnings are only reported). */
export function hasErrors(plan: { problems: readonly SelectionProblem[] }): boolean {
  return plan.problems.some((problem) => problem.severity === 'error');
}
