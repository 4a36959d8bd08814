import { PictureBookError } from '../errors/index.js';
import { compileRule, RuleError, type SelectionRule, type TagFilterSpec } from '../select/index.js';

/** `copy --all-tags`'s filters as commander hands them over: the `tags:` keys of a rule, as flags. */
export interface TagFilterFlags {
  allTags?: boolean;
  include: string[];
  exclude: string[];
  semver?: string;
  latest?: string;
}

/** A usage error (exit 2) that names the flag, as endpoint-flags.ts words its own. */
function flagError(flag: string, message: string): PictureBookError {
  return new PictureBookError('USAGE', `${flag}: ${message}`);
}

/** The filter flags given, in the order they apply; none given means every tag. */
function filterFlagsGiven(flags: TagFilterFlags): string[] {
  return [
    ...(flags.include.length > 0 ? ['--include'] : []),
    ...(flags.exclude.length > 0 ? ['--exclude'] : []),
    ...(flags.semver !== undefined ? ['--semver'] : []),
    ...(flags.latest !== undefined ? ['--latest'] : []),
  ];
}

/** The filters choose among a repository's tags: without `--all-tags` there is nothing to choose from. */
export function refuseFiltersWithoutAllTags(flags: TagFilterFlags): void {
  const given = filterFlagsGiven(flags);
  if (given.length > 0 && flags.allTags !== true) {
    throw new PictureBookError(
      'USAGE',
      `${given.join(', ')} ${given.length === 1 ? 'filters' : 'filter'} the tags of --all-tags: add --all-tags (and name repositories, not tags)`,
    );
  }
}

/** Where a RuleError of the rule built from the flags points, as the flag that holds it. */
function flagOfField(field: ReadonlyArray<string | number>): string {
  const [first, second] = field;
  if (first === 'tags' && second !== undefined) return `--${String(second)}`;
  if (first === 'platforms') return '--platform';
  return 'SOURCE';
}

/**
 * The rule `copy --all-tags SOURCE` stands for: every tag of the repository `source`
 * (`host/path`), filtered by the flags as a rule's `tags:` would be, with `--platform` and
 * `--force`. A bad regex, range, count or platform is a usage error naming its flag (`--include:
 * invalid regular expression "v(": Unterminated group`), found before any request.
 */
export function allTagsRule(source: string, flags: TagFilterFlags & { platform: string[]; force?: boolean }): SelectionRule {
  let latest: number | undefined;
  if (flags.latest !== undefined) {
    if (!/^\s*\d+\s*$/.test(flags.latest) || Number(flags.latest) < 1) {
      throw flagError('--latest', `must be a whole number of at least 1, got ${JSON.stringify(flags.latest)}`);
    }
    latest = Number(flags.latest);
  }
  const tags: TagFilterSpec = {
    ...(flags.include.length > 0 ? { include: flags.include } : {}),
    ...(flags.exclude.length > 0 ? { exclude: flags.exclude } : {}),
    ...(flags.semver !== undefined ? { semver: flags.semver } : {}),
    ...(latest !== undefined ? { latest } : {}),
  };
  try {
    return compileRule({ source, tags, platforms: flags.platform, force: flags.force === true }, source);
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    // The rule compiler speaks of config keys; here the same thing is a flag.
    throw flagError(flagOfField(error.field), error.message.replace('(or leave the key out)', '(or leave the flag out)'));
  }
}
