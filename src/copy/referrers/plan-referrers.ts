import { isCosignTagOf, isIndexMediaType, type ContentRepository, type MissingPlatforms, type Platform } from '../../registry/index.js';
import type { ImageCheck } from '../check-image.js';
import { lookUpManifest } from '../manifest-lookup.js';
import { presentAtTarget } from '../manifest-tree.js';
import { selectPlatforms } from '../platform-selection.js';
import { settleAll } from '../settle-all.js';
import { artifactTypeOf, type ArtifactTypeFilter } from './artifact-filter.js';
import { discoverReferrers, type DiscoveryLookups, type DiscoveryWitness } from './discover.js';
import { couldHaveReferrers, upToDateChildren } from './follow.js';
import { listOrWarn } from './referrer-problems.js';
import type { ReferrersApiAnswers } from './referrers-api-answers.js';

export interface PlanReferrersInput {
  source: ContentRepository;
  target: ContentRepository;
  /** The manifests whose referrers a copy would follow (see planSubjects). */
  subjects: readonly string[];
  /** An up-to-date index's children: planned only when one could have referrers, as the copy follows them (see followReferrers). */
  children?: (() => Promise<readonly string[]>) | undefined;
  filter: ArtifactTypeFilter;
  cosignTags: boolean;
  force: boolean;
  /** Hears what could not be listed (a warning, as in a copy). */
  witness: DiscoveryWitness;
  /** The source's tags (the run's listing, see tag-listings.ts). */
  sourceTags: () => Promise<readonly string[]>;
  /** The run's answers of the referrers API (see referrers-api-answers.ts). */
  referrersApi?: ReferrersApiAnswers | undefined;
}

/** The manifests a copy would follow referrers of, and an up-to-date index's children (read only when asked for). */
export interface PlannedSubjects {
  subjects: string[];
  children?: () => Promise<readonly string[]>;
}

/**
 * The manifests a copy would follow referrers of: the image and, for an index, each child it lists
 * (those a platform filter keeps; the new index a filter writes has none at the source). An
 * up-to-date index's children are read as the copy reads them (upToDateChildren), and only once
 * planReferrers found that one could have referrers; an index to copy is read at the source, the
 * one manifest a copy would read first.
 */
export async function planSubjects(
  source: ContentRepository,
  target: ContentRepository,
  check: ImageCheck,
  platforms: readonly Platform[],
  shownSource: string,
  missing?: MissingPlatforms,
): Promise<PlannedSubjects> {
  if (check.action === 'up-to-date') {
    const { digest, targetMediaType, manifest } = check;
    if (!targetMediaType || !isIndexMediaType(targetMediaType)) return { subjects: [digest] };
    return { subjects: [digest], children: () => upToDateChildren(target, source, digest, manifest) };
  }
  const mediaType = check.manifest?.mediaType ?? check.sourceMediaType;
  if (!mediaType || !isIndexMediaType(mediaType)) return { subjects: [check.digest] };
  const index = check.manifest ?? (await source.getManifest(check.digest));
  if (index.parsed.kind !== 'index') return { subjects: [check.digest] };
  const selection = selectPlatforms(index as typeof index & { parsed: { kind: 'index' } }, platforms, shownSource, missing);
  if (selection.kind === 'child') return { subjects: [selection.descriptor.digest] };
  if (selection.kind === 'subset') return { subjects: selection.children.map((c) => c.digest) };
  return { subjects: [check.digest, ...index.parsed.manifests.map((c) => c.digest)] };
}

/**
 * What a dry run says of an image's signatures and attestations: the referrers of each subject
 * that the target lacks, counted by artifact type, and their cosign tags that differ (counted as
 * `cosign .sig`, ...: their type is only known by reading them). Writes nothing and reads no
 * manifest but the listings (and the fallback indexes, which are the listings where the registry
 * has no referrers API); referrers of referrers are not counted.
 */
export async function planReferrers(input: PlanReferrersInput): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const add = (type: string) => (counts[type] = (counts[type] ?? 0) + 1);
  let tags: Promise<readonly string[] | undefined> | undefined;
  const sourceTags = () =>
    (tags ??= listOrWarn(input.source, 'tags', { ...input.witness, subject: input.subjects[0] ?? '' }, input.sourceTags));
  await settleAll(input.subjects.map((subject) => planSubject(input, subject, add, sourceTags)));
  if (input.children && (await couldHaveReferrers(input.source, lookupsOf(input, sourceTags)))) {
    const children = await input.children();
    await settleAll(children.map((child) => planSubject(input, child, add, sourceTags)));
  }
  return counts;
}

/** What discovery spares (see DiscoveryLookups): the run's referrers API answers, and the tags when listed for cosign tags. */
const lookupsOf = (input: PlanReferrersInput, sourceTags: () => Promise<readonly string[] | undefined>): DiscoveryLookups => ({
  api: input.referrersApi,
  tags: input.cosignTags ? sourceTags : undefined,
});

async function planSubject(
  input: PlanReferrersInput,
  subject: string,
  add: (type: string) => void,
  sourceTags: () => Promise<readonly string[] | undefined>,
): Promise<void> {
  const found = await discoverReferrers(input.source, input.target, subject, input.filter, input.witness, lookupsOf(input, sourceTags));
  if (!found.sameAtTarget) {
    await settleAll(
      found.entries.map(async (entry) => {
        if (!(await presentAtTarget(input.target, entry.descriptor.digest, input.force))) add(artifactTypeOf(entry));
      }),
    );
  }
  if (!input.cosignTags) return;
  const tags = ((await sourceTags()) ?? []).filter((tag) => isCosignTagOf(tag, subject));
  await settleAll(
    tags.map(async (tag) => {
      const [atSource, atTarget] = await Promise.all([lookUpManifest(input.source, tag), input.target.headManifest(tag)]);
      if (atSource && (input.force || atTarget?.digest !== atSource.digest)) add(`cosign ${tag.slice(tag.lastIndexOf('.'))}`);
    }),
  );
}
