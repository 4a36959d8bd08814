import { Limiter } from '../copy/limiter.js';
import { HttpError, PictureBookError } from '../errors/index.js';
import { isCosignTagOf, referrersTag, type ParsedManifest } from '../registry/index.js';
import {
  deleteRecordedReferrers,
  deleteTaggedReferrers,
  type RecordedContext,
  type ReferrerDeletions,
  type ReferrerFailure,
} from './delete-referrers.js';
import type { RecordedReferrer, RepositoryView } from './recorded-referrers.js';

/** What deleting needs of one target repository (a RepositoryClient opened for push). */
export interface TargetRepository {
  listTags(): Promise<string[]>;
  headManifest(reference: string): Promise<{ digest: string | undefined } | undefined>;
  getManifest(reference: string): Promise<{ parsed: ParsedManifest }>;
  deleteManifest(reference: string): Promise<boolean>;
}

/** One tag to delete from a repository: the digest picture-book wrote there. */
export interface Deletion {
  tag: string;
  digest: string;
}

/** The referrer manifests deleted with a tag, and those that could not be. */
export interface ReferrerOutcome {
  /** Every referrer manifest deleted with it (those the fallback index and cosign tags led to, and the recorded ones: recorded-referrers.ts). */
  referrerDigests: string[];
  /** Those whose deletion failed: their records stay (or are made) so the next run tries again. */
  referrerFailures: ReferrerFailure[];
  /** Recorded ones kept because tags that stay hold the same digest: recorded for those tags instead (`tag`). */
  handedOver?: RecordedReferrer[];
  /**
   * The tag was pushed over: the records neither settled nor handed over stay with it, as the image
   * it held was not deleted (written there again and then pruned, its referrers go with it).
   */
  keepsRecords?: true;
}

export type DeletionResult =
  /** `referrers`: the referrer tags that went with it. */
  | ({ tag: string; action: 'deleted' | 'would-delete'; digest: string; referrers: string[] } & ReferrerOutcome)
  /** Left in place this run (the ownership stays, so a later run tries again). */
  | { tag: string; action: 'kept'; note: string }
  /**
   * Not picture-book's any more (gone, or holding something else): released, never deleted. A tag
   * already gone still has its recorded referrers deleted (a run before deleted the tag but not
   * all of them, or someone else deleted the tag): nothing else would ever lead to them. A tag
   * pushed over has its owed ones deleted (their image went in a run before), not those of the
   * image it held: that image was not deleted, and may be pulled by digest.
   */
  | ({ tag: string; action: 'released'; note: string } & ReferrerOutcome)
  | { tag: string; action: 'failed'; error: unknown };

/** Whether the registry deletes a tag alone (OCI 1.1); learnt once per target registry and run. */
export interface DeleteCapabilities {
  byTag?: boolean;
}

/**
 * The tags that name what refers to `digest`: its referrers fallback index (the spec's schema,
 * referrersTag(): a sha512 digest's is cut to 64 hex characters) and cosign's `.sig` / `.att` /
 * `.sbom` tags (isCosignTagOf()): the spellings the copy wrote them with.
 */
export function referrerTags(tags: readonly string[], digest: string): string[] {
  const fallback = referrersTag(digest);
  return tags.filter((tag) => tag === fallback || isCosignTagOf(tag, digest)).sort();
}

/** A 400 DIGEST_INVALID (distribution 2.8) or UNSUPPORTED other than 405 to a DELETE by tag: the registry deletes by digest only. */
function refusesTag(error: unknown): boolean {
  return error instanceof HttpError && error.status === 400;
}

/**
 * Deletes tags of one target repository the way the registry allows. A registry that deletes a
 * tag alone (OCI 1.1) gets `DELETE .../manifests/<tag>`. Otherwise a tag goes by its digest, which
 * distribution 2.8 answers by removing every tag of the repository at that digest: so only when
 * every such tag is being deleted too; else the tag stays, with a note saying why. What refers to a
 * deleted image (its referrers fallback index and the manifests it lists, cosign's `.sig`/`.att`
 * tags) goes with it, and so do the referrers picture-book recorded copying for that tag
 * (`recorded`), unless something staying still refers to them; a referrer that cannot be deleted
 * is reported in the tag's result (`referrerFailures`), the tag counting as deleted. A tag no longer
 * at the digest picture-book wrote is not touched; one gone already has its recorded referrers
 * deleted (those a run before failed to delete included), one pushed over its owed ones only. With
 * `simulate`, nothing is deleted and the results say what would be. A 405 (deletes disabled)
 * is thrown: nothing else of the registry can be deleted either.
 */
export async function deleteTags(
  repository: TargetRepository,
  deletions: readonly Deletion[],
  capabilities: DeleteCapabilities,
  simulate: boolean,
  recorded: readonly RecordedReferrer[] = [],
): Promise<DeletionResult[]> {
  const tags = await repository.listTags();
  const heads = new Limiter(8);
  const digests = new Map<string, string | undefined>();
  await Promise.all(tags.map((tag) => heads.run(async () => digests.set(tag, (await repository.headManifest(tag))?.digest))));
  const isGone = (d: Deletion): boolean => !tags.includes(d.tag) || digests.get(d.tag) === undefined;
  const going = new Set(deletions.filter((d) => !isGone(d) && digests.get(d.tag) === d.digest).map((d) => d.tag));
  const view: RepositoryView = { tags, digests, going, recorded, getManifest: (reference) => repository.getManifest(reference) };
  const ctx: DeleteContext = { repository, view, capabilities, simulate, handled: new Set() };
  const results: DeletionResult[] = [];
  for (const d of deletions.filter((x) => !going.has(x.tag))) {
    if (isGone(d)) {
      const staying = tags.filter((t) => t !== d.tag && !going.has(t) && digests.get(t) === d.digest);
      const left = await withRecorded(ctx, d, NO_REFERRERS, staying);
      results.push({ tag: d.tag, action: 'released', note: 'already gone from the target', ...left });
    } else {
      const note = `now holds ${digests.get(d.tag)}, not the ${d.digest} picture-book wrote: someone else's, kept`;
      const staying = tags.filter((t) => t !== d.tag && !going.has(t) && digests.get(t) === d.digest);
      const left = await withRecorded(ctx, d, NO_REFERRERS, staying, true);
      results.push({ tag: d.tag, action: 'released', note, ...left, keepsRecords: true });
    }
  }
  for (const d of deletions.filter((x) => going.has(x.tag))) {
    try {
      results.push(await deleteOne(ctx, d));
    } catch (error) {
      if (error instanceof PictureBookError && error.code === 'DELETE_DISABLED') throw error;
      results.push({ tag: d.tag, action: 'failed', error });
    }
  }
  return results;
}

interface DeleteContext extends RecordedContext {
  repository: TargetRepository;
  capabilities: DeleteCapabilities;
}

const NO_REFERRERS: ReferrerDeletions = { deleted: new Set(), failures: [] };

async function deleteOne(ctx: DeleteContext, d: Deletion): Promise<DeletionResult> {
  const { repository, capabilities, simulate } = ctx;
  const { tags, digests, going } = ctx.view;
  // Another tag of this call at the same digest may have taken them already (deleted, or its index found unreadable).
  const referrers = referrerTags(tags, d.digest).filter((t) => !ctx.handled.has(digests.get(t) ?? ''));
  const sharing = tags.filter((t) => t !== d.tag && digests.get(t) === d.digest);
  const staying = sharing.filter((t) => !going.has(t));
  const action = simulate ? 'would-delete' : 'deleted';
  if (capabilities.byTag !== false && !simulate) {
    try {
      await repository.deleteManifest(d.tag);
      capabilities.byTag = true;
      // Its digest still tagged by one that stays: its referrers still refer to something kept (those owed still go).
      if (staying.length > 0)
        return { tag: d.tag, action, digest: d.digest, referrers: [], ...(await withRecorded(ctx, d, NO_REFERRERS, staying)) };
      const gone = await deleteTaggedReferrers(repository, referrers, digests, d.digest);
      return { tag: d.tag, action, digest: d.digest, referrers, ...(await withRecorded(ctx, d, gone)) };
    } catch (error) {
      if (!refusesTag(error)) throw error;
      capabilities.byTag = false;
    }
  }
  if (staying.length > 0) {
    if (capabilities.byTag !== true)
      return {
        tag: d.tag,
        action: 'kept',
        note: `the registry deletes by digest only, which would remove every tag at ${d.digest}, and ${staying.join(', ')} must stay: kept`,
      };
    // Simulating on a registry that deletes a tag alone: as above, its referrers stay with the digest.
    return { tag: d.tag, action, digest: d.digest, referrers: [], ...(await withRecorded(ctx, d, NO_REFERRERS, staying)) };
  }
  let gone = NO_REFERRERS;
  if (!simulate) {
    // Gone already when another tag of the same digest was deleted just before: fine.
    await repository.deleteManifest(d.digest);
    gone = await deleteTaggedReferrers(repository, referrers, digests, d.digest);
  }
  return { tag: d.tag, action, digest: d.digest, referrers, ...(await withRecorded(ctx, d, gone)) };
}

/**
 * What went through the fallback index and cosign tags, then the recorded referrers: each digest
 * once (a failed one too). The tag itself is gone by now (or pushed over, `owedOnly`): a referrer
 * that fails is reported, never the tag. Those recorded at its digest that stay because `staying`
 * tags still hold that digest are handed over to them (handedOver()).
 */
async function withRecorded(
  ctx: RecordedContext,
  d: Deletion,
  tagged: ReferrerDeletions,
  staying: readonly string[] = [],
  owedOnly = false,
): Promise<ReferrerOutcome> {
  // One the fallback index listed and failed to delete is not asked again (nor reported twice) for its record.
  for (const failure of tagged.failures) ctx.handled.add(failure.digest);
  const recorded = await deleteRecordedReferrers(ctx, d.tag, d.digest, tagged.deleted, owedOnly);
  for (const digest of tagged.deleted) ctx.handled.add(digest);
  const outcome = {
    referrerDigests: [...new Set([...tagged.deleted, ...recorded.deleted])],
    referrerFailures: [...tagged.failures, ...recorded.failures],
  };
  const kept = handedOver(ctx.view.recorded, d, outcome, staying);
  return kept.length > 0 ? { ...outcome, handedOver: kept } : outcome;
}

/**
 * The referrers recorded for `d.tag` at `d.digest` that neither went nor failed, recorded again
 * for each of the `staying` tags at that digest: they refer to what those still hold, so they go
 * when the last of them goes (forgetting them with the tag would leave them for ever).
 */
function handedOver(
  recorded: readonly RecordedReferrer[],
  d: Deletion,
  outcome: ReferrerOutcome,
  staying: readonly string[],
): RecordedReferrer[] {
  const settled = new Set([...outcome.referrerDigests, ...outcome.referrerFailures.map((f) => f.digest)]);
  const left = recorded.filter((r) => r.tag === d.tag && r.imageDigest === d.digest && !settled.has(r.digest));
  return staying.flatMap((tag) => left.map((r) => ({ tag, imageDigest: r.imageDigest, digest: r.digest, subject: r.subject })));
}
