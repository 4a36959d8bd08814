import { errorMessage, PictureBookError } from '../errors/index.js';
import type { ParsedManifest } from '../registry/index.js';
import { removableReferrers, type RepositoryView } from './recorded-referrers.js';

/** What deleting referrers needs of the target repository. */
export interface ReferrerRepository {
  getManifest(reference: string): Promise<{ parsed: ParsedManifest }>;
  deleteManifest(reference: string): Promise<boolean>;
}

/**
 * A referrer manifest of a deleted (or gone) tag that could not be deleted. Its record is kept (and
 * made when it had none: one the fallback index or a cosign tag led to) so the next run tries again.
 */
export interface ReferrerFailure {
  digest: string;
  /** What it refers to, as recorded (the image's digest for one a tag led to). */
  subject: string;
  error: unknown;
}

/** The referrers deleted (or, simulating, to be deleted) and those that failed. */
export interface ReferrerDeletions {
  deleted: Set<string>;
  failures: ReferrerFailure[];
}

/** Deletes disabled (405): nothing of the registry can be deleted; thrown on, as for a tag. */
function rethrowDisabled(error: unknown): void {
  if (error instanceof PictureBookError && error.code === 'DELETE_DISABLED') throw error;
}

/**
 * The fallback index's entries, then each referrer tag's manifest (by digest: its tag goes with it).
 * One that fails does not stop the others: it is reported with `imageDigest` as its subject.
 */
export async function deleteTaggedReferrers(
  repository: ReferrerRepository,
  referrers: readonly string[],
  digests: ReadonlyMap<string, string | undefined>,
  imageDigest: string,
): Promise<ReferrerDeletions> {
  const result: ReferrerDeletions = { deleted: new Set(), failures: [] };
  const attempt = async (digest: string): Promise<void> => {
    try {
      if (await repository.deleteManifest(digest)) result.deleted.add(digest);
    } catch (error) {
      rethrowDisabled(error);
      result.failures.push({ digest, subject: imageDigest, error });
    }
  };
  for (const tag of referrers) {
    const digest = digests.get(tag);
    if (digest === undefined) continue;
    if (!tag.includes('.')) {
      try {
        const index = await repository.getManifest(digest);
        if (index.parsed.kind === 'index') for (const entry of index.parsed.manifests) await attempt(entry.digest);
      } catch (error) {
        const cause = new PictureBookError('HTTP', `reading the referrers index ${tag}: ${errorMessage(error)}`, { cause: error });
        result.failures.push({ digest, subject: imageDigest, error: cause });
        continue;
      }
    }
    await attempt(digest);
  }
  return result;
}

/** Where recorded referrers are deleted: the repository as deleteTags saw it, and what this call already handled. */
export interface RecordedContext {
  repository: ReferrerRepository;
  view: RepositoryView;
  simulate: boolean;
  /** Recorded referrers already deleted (or listed, on a dry run) for another tag of this call. */
  handled: Set<string>;
}

/**
 * The referrers recorded for `tag` at `imageDigest` (found through the referrers API, so no tag
 * leads to them) that nothing staying refers to, deleted by digest; one in `alreadyGone` (the
 * fallback index's deletion removed it) counts as deleted. A failure, deciding included, is
 * reported per referrer and stops nothing else.
 */
export async function deleteRecordedReferrers(
  ctx: RecordedContext,
  tag: string,
  imageDigest: string,
  alreadyGone: ReadonlySet<string>,
): Promise<ReferrerDeletions> {
  const result: ReferrerDeletions = { deleted: new Set(), failures: [] };
  const mine = ctx.view.recorded.filter((r) => r.tag === tag && r.imageDigest === imageDigest && !ctx.handled.has(r.digest));
  const subjectOf = (digest: string): string => mine.find((r) => r.digest === digest)?.subject ?? imageDigest;
  let removable: string[];
  try {
    removable = (await removableReferrers(ctx.view, tag, imageDigest)).filter((digest) => !ctx.handled.has(digest));
  } catch (error) {
    for (const digest of new Set(mine.map((r) => r.digest))) result.failures.push({ digest, subject: subjectOf(digest), error });
    return result;
  }
  for (const digest of removable) {
    ctx.handled.add(digest);
    try {
      if (ctx.simulate || alreadyGone.has(digest) || (await ctx.repository.deleteManifest(digest))) result.deleted.add(digest);
    } catch (error) {
      rethrowDisabled(error);
      result.failures.push({ digest, subject: subjectOf(digest), error });
    }
  }
  return result;
}
