import { referrerEntries, referrersTag, MediaType, type ReferrerEntry, type ContentRepository } from '../../registry/index.js';
import { lookUpManifest } from '../manifest-lookup.js';
import type { CopyEventListener } from '../events.js';
import { artifactTypeOf, passesFilter, serverFilter, type ArtifactTypeFilter } from './artifact-filter.js';
import { listOrWarn, passable } from './referrer-problems.js';
import type { ReferrersApiAnswers } from './referrers-api-answers.js';

/** The referrers of one subject at the source, and how they were found. */
export interface Discovered {
  via: 'referrers-api' | 'referrers-tag';
  /** Those the filter lets through. */
  entries: ReferrerEntry[];
  /** How many the filter kept out. */
  filteredOut: number;
  /** Found through the fallback tag: the source's index (its digest and bytes). */
  sourceIndex?: { digest: string; bytes: Buffer };
  /** The target's fallback tag already holds that very index: every referrer in it is at the target. */
  sameAtTarget?: boolean;
  /** The listing failed (a `referrers-not-listed` warning was emitted): nothing is known, nothing follows. */
  unlisted?: true;
}

/** What a run already knows of the source repository, so discovery asks less (both optional). */
export interface DiscoveryLookups {
  /** The run's answers of the referrers API: a repository that has none is not asked again. */
  api?: ReferrersApiAnswers | undefined;
  /**
   * The repository's tags, complete (every page), when they are listed anyway (for cosign tags) or
   * were already; undefined when not listed or the listing failed. A subject whose fallback tag is
   * not among them has none: no HEAD is sent for it.
   */
  tags?: (() => Promise<readonly string[] | undefined>) | undefined;
}

/** Who hears that a listing failed: the image `target` being copied. */
export interface DiscoveryWitness {
  target: string;
  emit: CopyEventListener;
}

/**
 * Finds the referrers of `subject` at the source: the referrers API (paged), or, where the registry
 * has none, its fallback tag `<alg>-<hex>` (DiscoveryLookups says what a run spares of both). A
 * fallback index the target's tag already holds (same digest, by HEAD on both sides) is read from
 * the target, so a no-change run reads nothing at the source. A listing that fails is a warning (see referrer-problems.ts): the result is then empty.
 */
export async function discoverReferrers(
  source: ContentRepository,
  target: ContentRepository | undefined,
  subject: string,
  filter: ArtifactTypeFilter,
  witness: DiscoveryWitness,
  lookups: DiscoveryLookups = {},
): Promise<Discovered> {
  const keep = (all: ReferrerEntry[]) => {
    const entries = all.filter((e) => passesFilter(artifactTypeOf(e), filter));
    return { entries, filteredOut: all.length - entries.length };
  };
  const about = { ...witness, subject };
  // The registry may filter for us; we filter again whatever OCI-Filters-Applied says (harmless when it did).
  const listApi = () => source.listReferrers(subject, serverFilter(filter));
  const listing = await listOrWarn(source, 'referrers', about, () => (lookups.api ? lookups.api.list(source, listApi) : listApi()));
  if (!listing) return { via: 'referrers-api', entries: [], filteredOut: 0, unlisted: true };
  if (listing.supported) return { via: 'referrers-api', ...keep(listing.referrers) };
  const tag = referrersTag(subject);
  // A tag listing taken after the fallback tag was pushed names it: without it, nothing to ask.
  const tags = await lookups.tags?.();
  if (tags && !tags.includes(tag)) return { via: 'referrers-tag', entries: [], filteredOut: 0 };
  const fromTag = await listOrWarn(source, 'referrers-tag', about, async () => {
    // The target's tag only spares a read: a target that cannot say is asked nothing more here.
    const atTargetOrNone = target?.headManifest(tag).catch((error: unknown) => {
      if (passable(error, target)) return undefined;
      throw error;
    });
    const [found, atTarget] = await Promise.all([lookUpManifest(source, tag), atTargetOrNone]);
    if (!found) return null; // no tag: no referrers
    const sameAtTarget = atTarget?.digest === found.digest;
    // A delta bundle names its base's index without holding its bytes: then the source is read.
    const read = (from: ContentRepository) => from.getManifest(found.digest);
    const fromTarget = sameAtTarget && target ? read(target).catch(() => read(source)) : undefined;
    const bytes = found.manifest?.bytes ?? (await (fromTarget ?? read(source))).bytes;
    const where = `referrers tag ${source.where}:${tag}`;
    return { ...keep(referrerEntries(bytes, MediaType.ociIndex, where)), sourceIndex: { digest: found.digest, bytes }, sameAtTarget };
  });
  if (fromTag === undefined) return { via: 'referrers-tag', entries: [], filteredOut: 0, unlisted: true };
  if (fromTag === null) return { via: 'referrers-tag', entries: [], filteredOut: 0 };
  return { via: 'referrers-tag', ...fromTag };
}
