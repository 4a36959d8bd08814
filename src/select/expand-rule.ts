import { Limiter } from '../copy/limiter.js';
import { errorMessage } from '../errors/index.js';
import { validateRepository } from '../reference/grammar.js';
import { Reference } from '../reference/index.js';
import type { SelectionEventListener } from './events.js';
import type { DroppedImage, RepositoryOutcome, RuleExpansion, SelectedImage, SelectionProblem } from './expansion.js';
import type { Lister } from './lister.js';
import { listingProblem } from './listing-problem.js';
import { filterRepositories } from './repository-filter.js';
import type { SelectionRule } from './rule.js';
import { filterTags } from './tag-filter.js';
import { mapTarget, type TargetPlace } from './target-mapping.js';

export interface ExpandContext {
  lister: Lister;
  /** The target registry's host and path prefix. */
  target: TargetPlace;
  /** Tag listings in flight at once; share one between the rules of a run (default: 8 for this call). */
  limiter?: Limiter;
  signal?: AbortSignal;
  onEvent?: SelectionEventListener;
}

interface RepositoryResult {
  outcome?: RepositoryOutcome;
  images: SelectedImage[];
  dropped: DroppedImage[];
  problems: SelectionProblem[];
}

/** A name the registry listed that breaks the reference grammar: skipped with a warning, never fatal. */
function invalidName(rule: SelectionRule, registry: string, repository: string, error: unknown): SelectionProblem {
  return {
    code: 'INVALID_NAME',
    severity: 'warning',
    rule: rule.label,
    registry,
    repository,
    error,
    message: `${rule.label}: ${errorMessage(error)}; skipped`,
  };
}

function imageOf(source: Reference, rule: SelectionRule, target: TargetPlace, newTag?: string): SelectedImage {
  return {
    source: source.toString(),
    target: mapTarget(source, target, rule.target, newTag).toString(),
    ...(rule.platforms ? { platforms: rule.platforms } : {}),
    ...(rule.platforms && rule.missingPlatforms === 'skip' ? { missingPlatforms: 'skip' as const } : {}),
    ...(rule.force ? { force: true } : {}),
    ...(rule.referrers !== undefined ? { referrers: rule.referrers } : {}),
    ...(rule.cosignTags !== undefined ? { cosignTags: rule.cosignTags } : {}),
    ...(rule.artifactTypes !== undefined ? { artifactTypes: rule.artifactTypes } : {}),
    rule: rule.label,
  };
}

/** The repositories a rule covers: its own, or those of the catalog that pass its filters. */
async function ruleRepositories(
  rule: SelectionRule,
  context: ExpandContext,
  expansion: RuleExpansion,
): Promise<{ registry: string; names: string[] } | undefined> {
  const source = rule.source;
  if (source.kind === 'reference' || source.kind === 'tags') return undefined;
  if (source.kind === 'repository') return { registry: source.registry, names: [source.repository] };
  const namespace = source.kind === 'namespace' ? source.namespace : undefined;
  let found = 0;
  let selected = 0;
  const onPage = (names: readonly string[]): void => {
    found += names.length;
    selected += filterRepositories(names, namespace, rule.repositories).kept.length;
    context.onEvent?.({ type: 'repositories-found', rule: rule.label, registry: source.registry, found, selected });
  };
  let catalog: string[];
  try {
    catalog = await context.lister.repositories(source.registry, { signal: context.signal, onPage });
  } catch (error) {
    expansion.problems.push(listingProblem(error, rule, { registry: source.registry }, context.signal));
    return { registry: source.registry, names: [] };
  }
  const { kept, dropped } = filterRepositories(catalog, namespace, rule.repositories);
  expansion.droppedRepositories.push(...dropped);
  return { registry: source.registry, names: kept.sort() };
}

/** Lists one repository's tags, filters them and maps what is kept to targets. */
async function expandRepository(
  rule: SelectionRule,
  registry: string,
  repository: string,
  context: ExpandContext,
  progress: { total: number },
): Promise<RepositoryResult> {
  const result: RepositoryResult = { images: [], dropped: [], problems: [] };
  const fromCatalog = rule.source.kind !== 'repository';
  let base: Reference;
  try {
    // A catalog is the registry's word, not ours: a name that breaks the grammar is skipped.
    validateRepository(`${registry}/${repository}`, repository);
    base = new Reference(registry, repository);
  } catch (error) {
    result.problems.push(invalidName(rule, registry, repository, error));
    return result;
  }
  let found = 0;
  const onPage = (names: readonly string[]): void => {
    found += names.length;
    progress.total += names.length;
    context.onEvent?.({ type: 'tags-found', rule: rule.label, registry, repository, found, total: progress.total });
  };
  let tags: string[];
  try {
    tags = await context.lister.tags(registry, repository, { signal: context.signal, onPage });
  } catch (error) {
    result.problems.push(listingProblem(error, rule, { registry, repository, fromCatalog }, context.signal));
    return result;
  }
  const selection = filterTags(tags, rule.tags);
  result.dropped = selection.dropped.map((drop) => ({ registry, repository, ...drop }));
  const kept: string[] = [];
  for (const tag of selection.kept) {
    try {
      result.images.push(imageOf(base.withTag(tag), rule, context.target));
      kept.push(tag);
    } catch (error) {
      result.problems.push(invalidName(rule, registry, repository, error));
    }
  }
  result.outcome = { registry, repository, listed: new Set(tags).size, kept };
  context.onEvent?.({
    type: 'repository-selected',
    rule: rule.label,
    registry,
    repository,
    listed: result.outcome.listed,
    kept: kept.length,
  });
  return result;
}

function emptyReason(expansion: RuleExpansion, registry: string): string {
  const { rule, repositories, droppedRepositories } = expansion;
  const listed = repositories.reduce((sum, r) => sum + r.listed, 0);
  if (rule.source.kind === 'repository') return listed === 0 ? 'the repository has no tags' : `all ${listed} tags were filtered out`;
  if (repositories.length === 0 && droppedRepositories.length > 0)
    return `all ${droppedRepositories.length} repositories were filtered out`;
  if (repositories.length === 0)
    return rule.source.kind === 'namespace'
      ? `no repository under ${rule.source.namespace}/ in the catalog of ${registry}`
      : 'the catalog is empty';
  return `${repositories.length} repositories with ${listed} tags, all filtered out`;
}

/**
 * Expands one rule into the images it selects: lists the catalog (namespace and registry rules),
 * then the tags of each repository (several at once, bounded by the limiter), applies the filters
 * and maps each kept tag to its target. Listing failures become problems and the rest goes on; only
 * a cancellation (the signal aborted) is thrown. Images come out in repository, then tag, order.
 */
export async function expandRule(rule: SelectionRule, context: ExpandContext): Promise<RuleExpansion> {
  const expansion: RuleExpansion = { rule, images: [], repositories: [], droppedRepositories: [], dropped: [], problems: [] };
  if (rule.source.kind === 'reference') {
    expansion.images.push(imageOf(rule.source.reference, rule, context.target, rule.targetTags?.[0]));
    return expansion;
  }
  if (rule.source.kind === 'tags') {
    // Named tags are not listed: a missing one fails its copy, naming it, as a one-image rule does.
    const base = new Reference(rule.source.registry, rule.source.repository);
    rule.source.tags.forEach((tag, i) => expansion.images.push(imageOf(base.withTag(tag), rule, context.target, rule.targetTags?.[i])));
    return expansion;
  }
  const covered = await ruleRepositories(rule, context, expansion);
  if (!covered) return expansion;
  const limiter = context.limiter ?? new Limiter(8);
  const progress = { total: 0 };
  const results = await Promise.all(
    covered.names.map((name) => limiter.run(() => expandRepository(rule, covered.registry, name, context, progress))),
  );
  for (const result of results) {
    if (result.outcome) expansion.repositories.push(result.outcome);
    expansion.images.push(...result.images);
    expansion.dropped.push(...result.dropped);
    expansion.problems.push(...result.problems);
  }
  if (expansion.images.length === 0 && !expansion.problems.some((p) => p.severity === 'error')) {
    const why = emptyReason(expansion, covered.registry);
    expansion.problems.push({
      code: 'EMPTY_SELECTION',
      severity: rule.required ? 'error' : 'warning',
      rule: rule.label,
      registry: covered.registry,
      message: `${rule.label}: selected no image from ${covered.registry} (${why})${rule.required ? ', and the rule is required' : ''}`,
    });
  }
  return expansion;
}
