import { referrerEntries, referrersTag, MediaType, type ReferrerEntry, type ContentRepository } from '../../registry/index.js';
import { lookUpManifest } from '../manifest-lookup.js';
import { artifactTypeOf, passesFilter, serverFilter, type ArtifactTypeFilter } from './artifact-filter.js';

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
}

/**
 * Finds the referrers of `subject` at the source: the referrers API (paged), or, where the registry
 * has none, its fallback tag `<alg>-<hex>`. A fallback index the target's tag already holds (same
 * digest, by HEAD on both sides) is read from the target, so a no-change run reads nothing at the
 * source but the listing (see README, "Signatures and attestations").
 */
export async function discoverReferrers(
  source: ContentRepository,
  target: ContentRepository | undefined,
  subject: string,
  filter: ArtifactTypeFilter,
): Promise<Discovered> {
  const keep = (all: ReferrerEntry[]) => {
    const entries = all.filter((e) => passesFilter(artifactTypeOf(e), filter));
    return { entries, filteredOut: all.length - entries.length };
  };
  // The registry may filter for us; we filter again whatever OCI-Filters-Applied says (harmless when it did).
  const listing = await source.listReferrers(subject, serverFilter(filter));
  if (listing.supported) return { via: 'referrers-api', ...keep(listing.referrers) };
  const tag = referrersTag(subject);
  const [found, atTarget] = await Promise.all([lookUpManifest(source, tag), target?.headManifest(tag)]);
  if (!found) return { via: 'referrers-tag', entries: [], filteredOut: 0 };
  const sameAtTarget = atTarget?.digest === found.digest;
  const bytes = found.manifest?.bytes ?? (await (sameAtTarget && target ? target : source).getManifest(found.digest)).bytes;
  const where = `referrers tag ${source.where}:${tag}`;
  return {
    via: 'referrers-tag',
    ...keep(referrerEntries(bytes, MediaType.ociIndex, where)),
    sourceIndex: { digest: found.digest, bytes },
    sameAtTarget,
  };
}
