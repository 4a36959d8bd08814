import semver from 'semver';
import { errorMessage } from '../errors/index.js';
import { RuleError, type RuleField } from './rule-error.js';

/**
 * The semantic version a tag spells, if it spells one: `MAJOR.MINOR.PATCH[-prerelease]`, with an
 * optional leading lowercase `v` (`v1.2.3` is 1.2.3, as the semver package reads it). Short forms
 * such as `3.5` or `7`, and `V1.2.3`, are not versions: they never match a range and never count
 * for `latest`. `1.25.3-alpine` is 1.25.3 with the prerelease `alpine`.
 */
export function tagVersion(tag: string): semver.SemVer | undefined {
  return semver.parse(tag) ?? undefined;
}

/**
 * A range in the npm semver syntax (`>=3.5 <4`, `^3.5.0`, `3.x`, `~1.2`). As in npm, a prerelease
 * tag (`3.6.0-rc.1`, `1.25.3-alpine`) is outside every range unless the range names a prerelease of
 * the same version (`>=3.6.0-rc.0`).
 */
export function compileRange(text: string, field: RuleField): semver.Range {
  if (text.trim() === '') throw new RuleError(field, 'is empty: write a range such as ">=3.5 <4" (or leave the key out)');
  try {
    return new semver.Range(text);
  } catch (error) {
    throw new RuleError(field, `invalid semver range ${JSON.stringify(text)}: ${errorMessage(error)}`, { cause: error });
  }
}

export interface VersionedTag {
  tag: string;
  version: semver.SemVer;
}

/**
 * Highest version first; equal versions (`1.2.3` and `v1.2.3`, or tags differing only in build
 * metadata) in name order, so the choice never depends on the registry's listing order.
 */
export function compareHighestFirst(a: VersionedTag, b: VersionedTag): number {
  return semver.rcompare(a.version, b.version) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);
}
