import type { DroppedRepository } from './repository-filter.js';
import type { SelectionRule } from './rule.js';
import type { DroppedTag } from './tag-filter.js';
import type { ArtifactTypeFilter } from '../copy/referrers/artifact-filter.js';

/** One image a rule selected: what a copy task needs, and which rule asked for it. */
export interface SelectedImage {
  /** Full source reference: `registry/repository:tag` (or `@digest`). */
  source: string;
  /** Full target reference. */
  target: string;
  platforms?: readonly string[];
  /** Only with `platforms`, when not the default `fail`. */
  missingPlatforms?: 'skip';
  force?: boolean;
  /** Set by a rule's `referrers:`; absent, the registry's setting applies. */
  referrers?: boolean;
  /** Set by a rule's `cosignTags:`; absent, the registry's setting applies. */
  cosignTags?: boolean;
  /** Set by a rule's `artifactTypes:`; absent, the registry's setting applies. */
  artifactTypes?: ArtifactTypeFilter;
  /** The label of the rule that selected it. */
  rule: string;
}

/** A tag a filter dropped, with the repository it belongs to. */
export interface DroppedImage extends DroppedTag {
  registry: string;
  repository: string;
}

/** One listed repository of a rule: how many tags it has, and which were kept. */
export interface RepositoryOutcome {
  registry: string;
  repository: string;
  listed: number;
  kept: string[];
}

export type SelectionProblemCode =
  | 'CATALOG_UNAVAILABLE'
  | 'REPOSITORY_NOT_FOUND'
  | 'LISTING_FAILED'
  | 'INVALID_NAME'
  | 'EMPTY_SELECTION'
  | 'TARGET_COLLISION'
  /** Pruning's own, reported with the selection's: its guard stopped it, or a deletion failed. */
  | 'PRUNE_BLOCKED'
  | 'PRUNE_FAILED';

/**
 * Something a run must report. An `error` fails the rule (or, for a collision, the images
 * involved); a `warning` is reported and the rest goes on (a repository deleted between catalog and
 * tags, an empty selection that is not `required`).
 */
export interface SelectionProblem {
  code: SelectionProblemCode;
  severity: 'error' | 'warning';
  /** One line naming the rule, the registry and the repository or image. */
  message: string;
  /** Label of the rule it is about (the first rule, for a collision). */
  rule: string;
  /** The source registry (the target registry, for a collision). */
  registry: string;
  repository?: string;
  /** For TARGET_COLLISION: the target tag and every source that wanted it. */
  collision?: { target: string; sources: Array<{ source: string; rule: string }> };
  error?: unknown;
}

/** What one rule selected, and everything a `--dry-run` shows about how. */
export interface RuleExpansion {
  rule: SelectionRule;
  images: SelectedImage[];
  /** Repositories listed (in name order), with their tag counts. */
  repositories: RepositoryOutcome[];
  /** Repositories of the namespace or registry that `repositories:` filtered out. */
  droppedRepositories: DroppedRepository[];
  /** Tags the `tags:` filters dropped, each with the filter that did. */
  dropped: DroppedImage[];
  problems: SelectionProblem[];
}
