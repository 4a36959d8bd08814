import type { RuleExpansion } from '../select/index.js';

/**
 * What this run's listing says about one source repository of a rule:
 *   - `listed`: its tags were read to the end; `dropped` says why a tag was filtered out;
 *   - `filtered`: the rule's `repositories:` filters leave it out;
 *   - `missing`: the registry says it does not exist (NAME_UNKNOWN), or a complete catalog no longer has it;
 *   - `unknown`: its listing (or the catalog's) failed: nothing of it may be pruned this run.
 */
export type SourceState =
  | { kind: 'listed'; kept: ReadonlySet<string>; dropped: ReadonlyMap<string, string> }
  | { kind: 'filtered'; reason: string }
  | { kind: 'missing'; detail: string }
  | { kind: 'unknown'; detail: string };

/** Reads a rule's expansion into a per-repository verdict. */
export function sourceStates(expansion: RuleExpansion): (repository: string) => SourceState {
  // The catalog could not be read (so no repository's absence means anything), or a `required`
  // rule selected nothing (the rule says that cannot be right): nothing of the rule is pruned.
  const catalogFailure = expansion.problems.find(
    (p) =>
      p.repository === undefined && p.severity === 'error' && ['CATALOG_UNAVAILABLE', 'LISTING_FAILED', 'EMPTY_SELECTION'].includes(p.code),
  );
  const listed = new Map(expansion.repositories.map((r) => [r.repository, r]));
  const filtered = new Map(expansion.droppedRepositories.map((d) => [d.repository, `${d.filter}: ${d.reason}`]));
  const dropped = new Map<string, Map<string, string>>();
  for (const d of expansion.dropped) {
    const tags = dropped.get(d.repository) ?? new Map<string, string>();
    tags.set(d.tag, `dropped by ${d.filter}: ${d.reason}`);
    dropped.set(d.repository, tags);
  }
  const problems = new Map(expansion.problems.filter((p) => p.repository !== undefined).map((p) => [p.repository, p]));
  const fromCatalog = expansion.rule.source.kind === 'namespace' || expansion.rule.source.kind === 'registry';
  return (repository) => {
    if (catalogFailure) return { kind: 'unknown', detail: catalogFailure.message };
    const outcome = listed.get(repository);
    if (outcome) return { kind: 'listed', kept: new Set(outcome.kept), dropped: dropped.get(repository) ?? new Map<string, string>() };
    const problem = problems.get(repository);
    if (problem?.code === 'REPOSITORY_NOT_FOUND') return { kind: 'missing', detail: 'the source answers NAME_UNKNOWN' };
    if (problem) return { kind: 'unknown', detail: `listing failed: ${problem.message}` };
    const reason = filtered.get(repository);
    if (reason !== undefined) return { kind: 'filtered', reason: `repository dropped by ${reason}` };
    if (fromCatalog) return { kind: 'missing', detail: 'no longer in the source catalog' };
    // A repository rule lists exactly its one repository; another one is not this rule's.
    return { kind: 'unknown', detail: 'not a repository this rule lists' };
  };
}
