import { InvalidReferenceError } from '../errors/index.js';
import { validateRepository, validateTag } from '../reference/grammar.js';
import { trimRepositoryPath, type Reference } from '../reference/index.js';
import { parsePlatform, type MissingPlatforms } from '../registry/index.js';
import { compileRepositoryFilter, type RepositoryFilter, type RepositoryFilterSpec } from './repository-filter.js';
import { RuleError } from './rule-error.js';
import { describeSource, parseRuleSource, type RuleSource } from './rule-source.js';
import { compileTagFilter, type TagFilter, type TagFilterSpec } from './tag-filter.js';
import { compilePrunePolicy, type PrunePolicy, type PruneSpec } from './prune-policy.js';
import type { ArtifactTypeFilter } from '../copy/referrers/artifact-filter.js';

/** One selection rule as written (a `mirrors:` entry, or built from a CLI's flags or an image-list line). */
export interface RuleSpec {
  source: string;
  tags?: TagFilterSpec | undefined;
  repositories?: RepositoryFilterSpec | undefined;
  /**
   * A new repository path for a repository (or one-image) rule: `tools/etcd`. Tags keep their names,
   * unless the source names its tags (`repo:v1,v2`) and the target as many (`tools/etcd:a,b`): then
   * each is renamed, in order. A digest-only source may repeat its digest (`tools/etcd@sha256:...`).
   */
  target?: string | undefined;
  /** `os/arch[/variant]` (the OS or arch may be `*`): only these platforms of a multi-platform image. */
  platforms?: readonly string[] | undefined;
  /** An image without the platforms asked for: an error (`fail`, the default) or skipped with a note (`skip`). */
  missingPlatforms?: MissingPlatforms | undefined;
  /** Copy even when the target already has the source digest. */
  force?: boolean | undefined;
  /** Signatures, attestations and SBOMs follow the images (undefined: the registry's `referrers`). */
  referrers?: boolean | undefined;
  /** cosign's `sha256-<hex>.*` tags too (undefined: the registry's `cosignTags`). */
  cosignTags?: boolean | undefined;
  /** Which artifact types of referrers travel (undefined: the registry's `artifactTypes`). */
  artifactTypes?: ArtifactTypeFilter | undefined;
  /** An empty selection is an error instead of a note. */
  required?: boolean | undefined;
  /** Delete target tags this rule wrote once its selection no longer holds their source (opt-in). */
  prune?: PruneSpec | undefined;
  /** How messages name the rule when the code that built it knows better (`images.yaml:3`); never read from config.yaml. */
  label?: string | undefined;
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
  /** The new names of the source's own tags, in order (a tag-list or one-tag source with `target: path:t1,t2`). */
  targetTags: string[] | undefined;
  platforms: readonly string[] | undefined;
  missingPlatforms: MissingPlatforms;
  force: boolean;
  /** Undefined: the registry entry's `referrers` decides. */
  referrers: boolean | undefined;
  /** Undefined: the registry entry's `cosignTags` decides. */
  cosignTags: boolean | undefined;
  /** Undefined: the registry entry's `artifactTypes` decides. */
  artifactTypes: ArtifactTypeFilter | undefined;
  required: boolean;
  /** Set when the rule prunes. */
  prune: PrunePolicy | undefined;
  /** An `images:` entry or a syncer-script line: pruned only through the registry entry's `pruneImages:`. */
  fromList?: true;
}

/** The tags a source names itself: one for `repo:tag`, the list for `repo:v1,v2`, none otherwise. */
function namedTags(source: RuleSource): string[] {
  if (source.kind === 'tags') return source.tags;
  if (source.kind === 'reference' && source.reference.tag !== undefined) return [source.reference.tag];
  return [];
}

/** A target's `@digest`: allowed only as the source's own digest (image-syncer's rule). */
function checkTargetDigest(target: string, digest: string, source: RuleSource): void {
  const own = source.kind === 'reference' ? source.reference.digest : undefined;
  if (own === digest) return;
  const why = own === undefined ? 'the source has no digest' : `the source's digest is ${own}`;
  throw new RuleError(['target'], `${JSON.stringify(target)} has digest ${digest} but ${why}: a target has no digest, or the source's`);
}

/** A target's `:t1,t2`: as many new names as the source names tags. */
function checkTargetTags(target: string, tags: string[], source: RuleSource): string[] {
  for (const tag of tags) {
    try {
      validateTag(target, tag);
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      throw new RuleError(['target'], error.message.replace(/^invalid reference /, 'invalid target '), { cause: error });
    }
  }
  const from = namedTags(source);
  if (from.length === 0)
    throw new RuleError(
      ['target'],
      `${JSON.stringify(target)} renames tags, but the source names none: name them in the source ("repo:v1,v2"), or give the target no tag`,
    );
  if (from.length !== tags.length)
    throw new RuleError(
      ['target'],
      `${JSON.stringify(target)} has ${tags.length} tag${tags.length === 1 ? '' : 's'} but the source names ${from.length} (${from.join(',')}): each source tag needs one new name, in order`,
    );
  return tags;
}

/** `path`, `path:t1,t2` or `path@digest`: the path, checked, and the new tag names if any. */
function checkTarget(target: string, source: RuleSource): { path: string; tags: string[] | undefined } {
  const at = target.indexOf('@');
  const withoutDigest = at < 0 ? target : target.slice(0, at);
  if (at >= 0) checkTargetDigest(target, target.slice(at + 1), source);
  const colon = withoutDigest.indexOf(':', withoutDigest.lastIndexOf('/') + 1);
  const tags = colon < 0 ? undefined : checkTargetTags(target, withoutDigest.slice(colon + 1).split(','), source);
  const path = trimRepositoryPath(colon < 0 ? withoutDigest : withoutDigest.slice(0, colon));
  if (/[:@]/.test(path))
    throw new RuleError(
      ['target'],
      `${JSON.stringify(target)} must be a repository path such as "tools/etcd" (with ":tag" renames at most)`,
    );
  try {
    validateRepository(target, path);
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error;
    throw new RuleError(['target'], error.message.replace(/^invalid reference /, 'invalid target '), { cause: error });
  }
  return { path, tags };
}

/** Keys that only make sense for some kinds of source. */
function checkKeysForKind(spec: RuleSpec, source: RuleSource): void {
  const many = source.kind === 'namespace' || source.kind === 'registry';
  if (spec.tags !== undefined && (source.kind === 'reference' || source.kind === 'tags')) {
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
  const target = spec.target === undefined ? undefined : checkTarget(spec.target, source);
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
    label: label ?? spec.label ?? describeSource(source),
    source,
    tags: compileTagFilter(spec.tags),
    repositories: compileRepositoryFilter(spec.repositories),
    target: target?.path,
    targetTags: target?.tags,
    // An empty list means what no list means: every platform.
    platforms: platforms !== undefined && platforms.length > 0 ? platforms : undefined,
    missingPlatforms: spec.missingPlatforms ?? 'fail',
    force: spec.force ?? false,
    referrers: spec.referrers,
    cosignTags: spec.cosignTags,
    artifactTypes: spec.artifactTypes,
    required: spec.required ?? false,
    prune: compilePrunePolicy(spec.prune, source.kind === 'repository' || source.kind === 'namespace' || source.kind === 'registry'),
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
    targetTags: undefined,
    platforms: undefined,
    missingPlatforms: 'fail',
    force: false,
    referrers: undefined,
    cosignTags: undefined,
    artifactTypes: undefined,
    required: false,
    prune: undefined,
  };
}
