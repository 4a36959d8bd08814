import { compilePatterns, firstMatch, type Pattern } from './patterns.js';
import type { RuleField } from './rule-error.js';

/** A rule's `repositories:` as written: regexes over whole repository paths (`team/app`). */
export interface RepositoryFilterSpec {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
}

export interface RepositoryFilter {
  include: Pattern[] | undefined;
  exclude: Pattern[];
}

export interface DroppedRepository {
  repository: string;
  filter: 'include' | 'exclude';
  reason: string;
}

export function compileRepositoryFilter(spec: RepositoryFilterSpec = {}, field: RuleField = ['repositories']): RepositoryFilter {
  return {
    include: spec.include === undefined ? undefined : compilePatterns(spec.include, [...field, 'include']),
    exclude: compilePatterns(spec.exclude ?? [], [...field, 'exclude']),
  };
}

/**
 * Which catalog entries a namespace or registry rule mirrors: those under the namespace (`team/`
 * keeps `team/app` and `team/sub/app`, not `teamwork/app`), then `include` (one pattern matches the
 * whole path; none given: all), then not `exclude`. Entries outside the namespace are not reported:
 * they were never the rule's. Patterns see the path as the catalog lists it, namespace included.
 */
export function filterRepositories(
  names: readonly string[],
  namespace: string | undefined,
  filter: RepositoryFilter,
): { kept: string[]; dropped: DroppedRepository[] } {
  const kept: string[] = [];
  const dropped: DroppedRepository[] = [];
  for (const repository of new Set(names)) {
    if (namespace !== undefined && !repository.startsWith(`${namespace}/`)) continue;
    if (filter.include && !firstMatch(filter.include, repository)) {
      dropped.push({ repository, filter: 'include', reason: 'matches no include pattern' });
      continue;
    }
    const excluded = firstMatch(filter.exclude, repository);
    if (excluded) {
      dropped.push({ repository, filter: 'exclude', reason: `matches exclude ${JSON.stringify(excluded.source)}` });
      continue;
    }
    kept.push(repository);
  }
  return { kept, dropped };
}
