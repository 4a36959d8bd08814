import { InvalidReferenceError } from '../errors/index.js';
import { validateRepository } from '../reference/grammar.js';
import { trimRepositoryPath, type Reference } from '../reference/index.js';
import { parsePlatform } from '../registry/index.js';
import { compileRepositoryFilter, type RepositoryFilter, type RepositoryFilterSpec } from './repository-filter.js';
import { RuleError } from './rule-error.js';
import { describeSource, parseRuleSource, type RuleSource } from './rule-source.js';
import { compileTagFilter, type TagFilter, type TagFilterSpec } from './tag-filter.js';

/** One selection rule as written (a `mirrors:` entry, or built from a CLI's flags or an image-list line). */
export interface RuleSpec {
  source: string;
  tags?: TagFilterSpec | undefined;
  repositories?: RepositoryFilterSpec | undefined;
  /** A new repository path for a repository (or one-image) rule: `tools/etcd`. Tags keep their names. */
  target?: string | undefined;
  /** `os/arch[/variant]`: only these platforms of a multi-platform image. */
  platforms?: readonly string[] | undefined;
  /** Copy even when the target already has the source digest. */
  force?: boolean | undefined;
  /** Signatures, attestations and SBOMs follow the images (undefined: the registry's `referrers`). */
  referrers?: boolean | undefined;
  /** An empty selection is an error instead of a note. */
  required?: boolean | undefined;
}

/** A checked, compiled rule: everything that can be wrong with it was found before any listing. */
export interface SelectionRule {
  spec: RuleSpec;
  /** How messages name the rule: `registries[0].mirrors[1]`, `images[3]`, `syncer script line 4`. */
  label: string;
  source: RuleSource;
  tags: TagFilter;
  repositories: RepositoryFilter;
  target: string | undefined;
  platforms: readonly string[] | undefined;
  force: boolean;
  /** Undefined: the registry entry's `referrers` decides. */
  referrers: boolean | undefined;
  required: boolean;
}

function checkTarget(target: string): string {
  const path = trimRepositoryPath(target);
  if (/[:@]/.test(path))
    throw new RuleError(
      ['target'],
      `${JSON.stringify(target)} must be a repository path such as "tools/etcd": tags keep their names, so no ":tag" or "@digest"`,
    );
  try {
    validateRepository(target, path);
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error;
    throw new RuleError(['target'], error.message.replace(/^invalid reference /, 'invalid target '), { cause: error });
  }
  return path;
}

/** Keys that only make sense for some kinds of source. */
function checkKeysForKind(spec: RuleSpec, source: RuleSource): void {
  const many = source.kind === 'namespace' || source.kind === 'registry';
  if (spec.tags !== undefined && source.kind === 'reference') {
    throw new RuleError(
      ['tags'],
      'filters the tags of a repository, namespace or registry, but this source names one image: drop its tag or digest to choose among all tags',
    );
  }
  if (spec.repositories !== undefined && !many) {
    throw new RuleError(['repositories'], 'filters the repositories of a namespace or registry rule, but this source names one repository');
  }
  if (spec.target !== undefined && many) {
    throw new RuleError(
      ['target'],
      'renames one repository, but this source names many: a namespace or registry rule keeps the source paths',
    );
  }
}

/** Checks and compiles a rule. Throws a RuleError whose `field` points into the spec. */
export function compileRule(spec: RuleSpec, label?: string): SelectionRule {
  const source = parseRuleSource(spec.source);
  checkKeysForKind(spec, source);
  const platforms = spec.platforms?.map((platform, index) => {
    try {
      parsePlatform(platform);
      return platform;
    } catch (error) {
      throw new RuleError(
        ['platforms', index],
        `invalid platform ${JSON.stringify(platform)}: expected os/arch or os/arch/variant (linux/arm64/v8)`,
        { cause: error },
      );
    }
  });
  return {
    spec,
    label: label ?? describeSource(source),
    source,
    tags: compileTagFilter(spec.tags),
    repositories: compileRepositoryFilter(spec.repositories),
    target: spec.target === undefined ? undefined : checkTarget(spec.target),
    // An empty list means what no list means: every platform.
    platforms: platforms !== undefined && platforms.length > 0 ? platforms : undefined,
    force: spec.force ?? false,
    referrers: spec.referrers,
    required: spec.required ?? false,
  };
}

/**
 * A one-image rule for an `images:` entry or a syncer-script line that names one image. Unlike a
 * `source:` without a tag, a reference without one means `latest` here, as it always has.
 */
export function referenceRule(reference: Reference, label: string): SelectionRule {
  return {
    spec: { source: reference.toString() },
    label,
    source: { kind: 'reference', reference },
    tags: compileTagFilter(),
    repositories: compileRepositoryFilter(),
    target: undefined,
    platforms: undefined,
    force: false,
    referrers: undefined,
    required: false,
  };
}
