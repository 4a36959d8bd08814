import { errorMessage, PictureBookError } from '../errors/index.js';
import { referrersTag, type ParsedManifest } from '../registry/index.js';
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

/** The manifests the fallback index `tag` (at `digest`) lists; undefined, its failure reported, when it cannot be read. */
async function listedBy(
  repository: ReferrerRepository,
  tag: string,
  digest: string,
  subject: string,
  failures: ReferrerFailure[],
): Promise<string[] | undefined> {
  try {
    const index = await repository.getManifest(digest);
    return index.parsed.kind === 'index' ? index.parsed.manifests.map((entry) => entry.digest) : [];
  } catch (error) {
    const cause = new PictureBookError('HTTP', `reading the referrers index ${tag}: ${errorMessage(error)}`, { cause: error });
    failures.push({ digest, subject, error: cause });
    return undefined;
  }
}

/**
 * The fallback index's entries, then each referrer tag's manifest (by digest: its tag goes with it).
 * One that fails does not stop the others: it is reported with `imageDigest` as its subject. An
 * index that cannot be read stays (its record then keeps it owed, and what it lists with it).
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
    if (tag === referrersTag(imageDigest)) {
      const listed = await listedBy(repository, tag, digest, imageDigest, result.failures);
      if (listed === undefined) continue;
      for (const entry of listed) await attempt(entry);
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
 * leads to them), and those owed from an image the tag held before (their deletion failed after
 * that image went), that nothing staying refers to, deleted by digest; one in `alreadyGone` (the
 * fallback index's deletion removed it) counts as deleted. A recorded fallback index (one a run
 * before could not read) has what it lists deleted first. With `owedOnly`, the owed ones alone (the
 * tag was pushed over: the image it held is not deleted, so neither are its referrers). A failure,
 * deciding included, is reported per referrer and stops nothing else.
 */
export async function deleteRecordedReferrers(
  ctx: RecordedContext,
  tag: string,
  imageDigest: string,
  alreadyGone: ReadonlySet<string>,
  owedOnly = false,
): Promise<ReferrerDeletions> {
  const result: ReferrerDeletions = { deleted: new Set(), failures: [] };
  const mine = ctx.view.recorded.filter(
    (r) => r.tag === tag && ((!owedOnly && r.imageDigest === imageDigest) || r.owed === true) && !ctx.handled.has(r.digest),
  );
  const recordOf = (digest: string) => mine.find((r) => r.digest === digest);
  const subjectOf = (digest: string): string => recordOf(digest)?.subject ?? imageDigest;
  const removable = new Set<string>();
  try {
    for (const image of new Set(mine.map((r) => r.imageDigest))) {
      const ours = new Set(mine.filter((r) => r.imageDigest === image).map((r) => r.digest));
      for (const digest of await removableReferrers(ctx.view, tag, image)) if (ours.has(digest)) removable.add(digest);
    }
  } catch (error) {
    for (const digest of new Set(mine.map((r) => r.digest))) result.failures.push({ digest, subject: subjectOf(digest), error });
    return result;
  }
  const attempt = async (digest: string, subject: string): Promise<void> => {
    ctx.handled.add(digest);
    try {
      if (ctx.simulate || alreadyGone.has(digest) || (await ctx.repository.deleteManifest(digest))) result.deleted.add(digest);
    } catch (error) {
      rethrowDisabled(error);
      result.failures.push({ digest, subject, error });
    }
  };
  for (const digest of removable) {
    if (ctx.handled.has(digest)) continue;
    const image = recordOf(digest)?.imageDigest ?? imageDigest;
    const fallback = referrersTag(image);
    if (!ctx.simulate && !alreadyGone.has(digest) && ctx.view.digests.get(fallback) === digest) {
      const listed = await listedBy(ctx.repository, fallback, digest, subjectOf(digest), result.failures);
      if (listed === undefined) continue;
      for (const entry of listed) if (!ctx.handled.has(entry)) await attempt(entry, image);
    }
    await attempt(digest, subjectOf(digest));
  }
  return result;
}
