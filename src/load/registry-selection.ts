import type { RegistryConfig } from '../config/index.js';
import type { Limiter } from '../copy/index.js';
import {
  describeSource,
  planSelection,
  type Lister,
  type RuleExpansion,
  type SelectionEvent,
  type SelectionPlan,
  type SelectionProblem,
  type SelectionRule,
} from '../select/index.js';
import type { DropCounts, ListingEvent, LoadEvent, LoadEventListener, RuleSelected } from './events.js';

export interface RegistrySelectionOptions {
  registry: Pick<RegistryConfig, 'hostname' | 'repository'>;
  rules: readonly SelectionRule[];
  lister: Lister;
  /** Tag listings in flight at once, shared by every registry of the run. */
  limiter: Limiter;
  signal?: AbortSignal | undefined;
  emit: LoadEventListener;
}

const FILTERS = ['include', 'exclude', 'semver', 'latest'] as const;

function dropCounts(dropped: ReadonlyArray<{ filter: (typeof FILTERS)[number] }>): DropCounts {
  const counts: DropCounts = {};
  for (const filter of FILTERS) {
    const n = dropped.filter((d) => d.filter === filter).length;
    if (n > 0) counts[filter] = n;
  }
  return counts;
}

function listingEvent(event: SelectionEvent, registry: string): ListingEvent {
  const { registry: source, ...rest } = event;
  return { ...rest, registry, source, time: Date.now() };
}

function ruleSelected(expansion: RuleExpansion, registry: string, kind: RuleSelected['kind']): RuleSelected {
  const listed = expansion.repositories.reduce((n, r) => n + r.listed, 0);
  const kept = expansion.repositories.reduce((n, r) => n + r.kept.length, 0);
  return {
    type: 'rule-selected',
    registry,
    rule: expansion.rule.label,
    kind,
    source: describeSource(expansion.rule.source),
    repositories: { kept: expansion.repositories.length, dropped: dropCounts(expansion.droppedRepositories) },
    tags: { listed, kept, dropped: dropCounts(expansion.dropped) },
    droppedRepositories: expansion.droppedRepositories.map(({ repository, filter, reason }) => ({ repository, filter, reason })),
    droppedTags: expansion.dropped.map(({ repository, tag, filter, reason }) => ({ repository, tag, filter, reason })),
    time: Date.now(),
  };
}

function problemEvent(problem: SelectionProblem, registry: string): LoadEvent {
  const { code, severity, rule, message, repository } = problem;
  return {
    type: 'selection-problem',
    registry,
    code,
    severity,
    rule,
    message,
    source: problem.registry,
    ...(repository === undefined ? {} : { repository }),
    time: Date.now(),
  };
}

/**
 * Lists and expands every rule of one target registry (select's planSelection) and reports it as
 * load events: listing progress as it happens, then what each listing rule selected and why not
 * more, then every problem. The images come back merged (each once) and free of collisions. Only
 * a cancellation (`signal`) is thrown.
 */
export async function selectRegistryImages(options: RegistrySelectionOptions): Promise<SelectionPlan> {
  const { registry, emit } = options;
  const name = registry.hostname;
  const plan = await planSelection(options.rules, {
    lister: options.lister,
    target: { hostname: registry.hostname, repository: registry.repository },
    limiter: options.limiter,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: (event) => emit(listingEvent(event, name)),
  });
  for (const expansion of plan.expansions) {
    const { kind } = expansion.rule.source;
    if (kind !== 'reference' && kind !== 'tags') emit(ruleSelected(expansion, name, kind));
  }
  for (const problem of plan.problems) emit(problemEvent(problem, name));
  return plan;
}
