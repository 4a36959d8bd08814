import type semver from 'semver';
import { compilePatterns, firstMatch, type Pattern } from './patterns.js';
import { RuleError, type RuleField } from './rule-error.js';
import { compareHighestFirst, compileRange, tagVersion, type VersionedTag } from './semver-tags.js';

/** A rule's `tags:` as written. */
export interface TagFilterSpec {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
  semver?: string | undefined;
  latest?: number | undefined;
}

export interface TagFilter {
  spec: TagFilterSpec;
  include: Pattern[] | undefined;
  exclude: Pattern[];
  range: semver.Range | undefined;
  latest: number | undefined;
}

/** The filters in the order they apply. */
export type TagFilterName = 'include' | 'exclude' | 'semver' | 'latest';

export interface DroppedTag {
  tag: string;
  filter: TagFilterName;
  /** Why, in a few words: `matches exclude ".*-rc.*"`, `not a semantic version`. */
  reason: string;
}

export interface TagSelection {
  /** In name order. */
  kept: string[];
  /** In name order; each says which filter dropped it. */
  dropped: DroppedTag[];
}

/** Checks every filter up front, so a bad one is reported before anything is listed. */
export function compileTagFilter(spec: TagFilterSpec = {}, field: RuleField = ['tags']): TagFilter {
  const { latest } = spec;
  if (latest !== undefined && (!Number.isInteger(latest) || latest < 1)) {
    throw new RuleError([...field, 'latest'], `must be a whole number of at least 1, got ${String(latest)}`);
  }
  return {
    spec,
    include: spec.include === undefined ? undefined : compilePatterns(spec.include, [...field, 'include']),
    exclude: compilePatterns(spec.exclude ?? [], [...field, 'exclude']),
    range: spec.semver === undefined ? undefined : compileRange(spec.semver, [...field, 'semver']),
    latest,
  };
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Applies the filters in this order, each to what the previous ones kept:
 * 1. `include`: a tag is kept when one pattern matches it whole (no `include`: every tag);
 * 2. `exclude`: a tag is dropped when one pattern matches it whole;
 * 3. `semver`: a tag is kept when it is a semantic version inside the range;
 * 4. `latest: N`: the N highest semantic versions are kept, ties in name order.
 * Tags that are not semantic versions never pass `semver` or `latest`. A prerelease counts for
 * `latest` (`3.5.2-rc.1` is above `3.5.1`); `semver: "*"` beside it leaves prereleases out. `latest` ranks by version,
 * not by date: a date costs a manifest and a config GET per tag (Docker Hub counts them against the
 * pull quota) and a re-push re-dates an old tag.
 */
export function filterTags(tags: readonly string[], filter: TagFilter): TagSelection {
  const dropped: DroppedTag[] = [];
  let kept = [...new Set(tags)].sort(byName);
  const keep = (filterName: TagFilterName, why: (tag: string) => string | undefined): void => {
    kept = kept.filter((tag) => {
      const reason = why(tag);
      if (reason !== undefined) dropped.push({ tag, filter: filterName, reason });
      return reason === undefined;
    });
  };
  const { include, exclude, range, latest } = filter;
  if (include) keep('include', (tag) => (firstMatch(include, tag) ? undefined : 'matches no include pattern'));
  if (exclude.length > 0)
    keep('exclude', (tag) => {
      const hit = firstMatch(exclude, tag);
      return hit ? `matches exclude ${JSON.stringify(hit.source)}` : undefined;
    });
  if (range)
    keep('semver', (tag) => {
      const version = tagVersion(tag);
      if (!version) return 'not a semantic version';
      return range.test(version) ? undefined : `outside ${JSON.stringify(filter.spec.semver)}`;
    });
  if (latest !== undefined) {
    const ranked = kept.flatMap((tag): VersionedTag[] => {
      const version = tagVersion(tag);
      return version ? [{ tag, version }] : [];
    });
    const highest = new Set(
      ranked
        .sort(compareHighestFirst)
        .slice(0, latest)
        .map((v) => v.tag),
    );
    keep('latest', (tag) =>
      highest.has(tag) ? undefined : tagVersion(tag) ? `not among the ${latest} highest versions` : 'not a semantic version',
    );
  }
  return { kept, dropped: dropped.sort((a, b) => byName(a.tag, b.tag)) };
}
