/**
 * Selection: which images a target registry mirrors. A rule names a registry, a namespace, a
 * repository or one image (`parseRuleSource`), filters tags in a fixed order (include, exclude,
 * semver, latest: `filterTags`) and repositories (`filterRepositories`), and maps each kept tag to
 * its target (`mapTarget`). `planSelection` lists and expands every rule of one target registry and
 * merges them (duplicates once, collisions as errors), reporting progress as SelectionEvents.
 * Pure parts throw RuleError; listing failures come back as SelectionProblems, never thrown
 * (except a cancellation).
 */
export { RuleError, type RuleField } from './rule-error.js';
export { parseRuleSource, describeSource, isBareRegistry, type RuleSource } from './rule-source.js';
export {
  compileTagFilter,
  filterTags,
  type TagFilter,
  type TagFilterSpec,
  type TagFilterName,
  type DroppedTag,
  type TagSelection,
} from './tag-filter.js';
export {
  compileRepositoryFilter,
  filterRepositories,
  type RepositoryFilter,
  type RepositoryFilterSpec,
  type DroppedRepository,
} from './repository-filter.js';
export { tagVersion } from './semver-tags.js';
export { compilePrunePolicy, DEFAULT_GRACE_RUNS, DEFAULT_MAX_FRACTION, type PrunePolicy, type PruneSpec } from './prune-policy.js';
export { compileRule, referenceRule, type RuleSpec, type SelectionRule } from './rule.js';
export { ruleSchema, rulesSchema, type RuleInput } from './rule-schema.js';
export { parseImageEntry, type ImageEntry } from './image-entry.js';
export { mapTarget, type TargetPlace } from './target-mapping.js';
export { registryLister, rememberingLister, type Lister, type ListOptions, type RegistryListerOptions } from './lister.js';
export { layoutAwareLister } from './layout-lister.js';
export { CatalogUnavailableError, RepositoryNotFoundError } from './listing-errors.js';
export type { SelectionEvent, SelectionEventListener } from './events.js';
export type { SelectedImage, DroppedImage, RepositoryOutcome, RuleExpansion, SelectionProblem, SelectionProblemCode } from './expansion.js';
export { expandRule, type ExpandContext } from './expand-rule.js';
export { mergeSelections, type PlannedImage } from './merge-selections.js';
export { planSelection, hasErrors, type SelectionPlan } from './plan-selection.js';
