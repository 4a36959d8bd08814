import { Limiter } from '../copy/limiter.js';
import { errorMessage, HttpError, PictureBookError } from '../errors/index.js';
import type { ParsedManifest } from '../registry/index.js';
import { removableReferrers, type RecordedReferrer, type RepositoryView } from './recorded-referrers.js';

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

export type DeletionResult =
  /**
   * `referrers`: the referrer tags that went with it; `referrerDigests`: every referrer manifest deleted
   * with it (those the fallback index and cosign tags led to, and the recorded ones: recorded-referrers.ts).
   */
  | { tag: string; action: 'deleted' | 'would-delete'; digest: string; referrers: string[]; referrerDigests: string[] }
  /** Left in place this run (the ownership stays, so a later run tries again). */
  | { tag: string; action: 'kept'; note: string }
  /** Not picture-book's any more (gone, or holding something else): released, never deleted. */
  | { tag: string; action: 'released'; note: string }
  | { tag: string; action: 'failed'; error: unknown };

/** Whether the registry deletes a tag alone (OCI 1.1); learnt once per target registry and run. */
export interface DeleteCapabilities {
  byTag?: boolean;
}

/** `sha256-<hex>` (the referrers fallback index) and `sha256-<hex>.sig` / `.att` / `.sbom` (cosign): what refers to `digest`. */
export function referrerTags(tags: readonly string[], digest: string): string[] {
  const base = digest.replace(':', '-');
  return tags.filter((tag) => tag === base || tag.startsWith(`${base}.`)).sort();
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
 * (`recorded`), unless something staying still refers to them. A tag no longer at the digest
 * picture-book wrote is not touched. With
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
  const going = new Set<string>();
  const results: DeletionResult[] = [];
  for (const d of deletions) {
    const now = digests.get(d.tag);
    if (!tags.includes(d.tag) || now === undefined) results.push({ tag: d.tag, action: 'released', note: 'already gone from the target' });
    else if (now !== d.digest)
      results.push({
        tag: d.tag,
        action: 'released',
        note: `now holds ${now}, not the ${d.digest} picture-book wrote: someone else's, kept`,
      });
    else going.add(d.tag);
  }
  const view: RepositoryView = { tags, digests, going, recorded, getManifest: (reference) => repository.getManifest(reference) };
  const ctx: DeleteContext = { repository, view, capabilities, simulate, handled: new Set() };
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

interface DeleteContext {
  repository: TargetRepository;
  view: RepositoryView;
  capabilities: DeleteCapabilities;
  simulate: boolean;
  /** Recorded referrers already deleted (or listed, on a dry run) for another tag of this call. */
  handled: Set<string>;
}

async function deleteOne(ctx: DeleteContext, d: Deletion): Promise<DeletionResult> {
  const { repository, capabilities, simulate } = ctx;
  const { tags, digests, going } = ctx.view;
  const referrers = referrerTags(tags, d.digest);
  const sharing = tags.filter((t) => t !== d.tag && digests.get(t) === d.digest);
  const action = simulate ? 'would-delete' : 'deleted';
  if (capabilities.byTag !== false && !simulate) {
    try {
      await repository.deleteManifest(d.tag);
      capabilities.byTag = true;
      // Its digest may still be tagged elsewhere: its referrers then still refer to something kept.
      if (sharing.length > 0) return { tag: d.tag, action, digest: d.digest, referrers: [], referrerDigests: [] };
      const gone = await deleteReferrers(repository, referrers, digests);
      return { tag: d.tag, action, digest: d.digest, referrers, referrerDigests: await withRecorded(ctx, d, gone) };
    } catch (error) {
      if (!refusesTag(error)) throw error;
      capabilities.byTag = false;
    }
  }
  const staying = sharing.filter((t) => !going.has(t));
  if (capabilities.byTag !== true && staying.length > 0) {
    return {
      tag: d.tag,
      action: 'kept',
      note: `the registry deletes by digest only, which would remove every tag at ${d.digest}, and ${staying.join(', ')} must stay: kept`,
    };
  }
  let gone = new Set<string>();
  if (!simulate) {
    // Gone already when another tag of the same digest was deleted just before: fine.
    await repository.deleteManifest(d.digest);
    gone = await deleteReferrers(repository, referrers, digests);
  }
  return { tag: d.tag, action, digest: d.digest, referrers, referrerDigests: await withRecorded(ctx, d, gone) };
}

/** What went through the fallback index and cosign tags, then the recorded referrers: each digest once. */
async function withRecorded(ctx: DeleteContext, d: Deletion, gone: ReadonlySet<string>): Promise<string[]> {
  const recorded = await deleteRecorded(ctx, d, gone);
  for (const digest of gone) ctx.handled.add(digest);
  return [...new Set([...gone, ...recorded])];
}

/** The fallback index's entries, then each referrer tag's manifest (by digest: its tag goes with it); returns the digests deleted. */
async function deleteReferrers(
  repository: TargetRepository,
  referrers: readonly string[],
  digests: ReadonlyMap<string, string | undefined>,
): Promise<Set<string>> {
  const gone = new Set<string>();
  for (const tag of referrers) {
    const digest = digests.get(tag);
    if (digest === undefined) continue;
    if (!tag.includes('.')) {
      const index = await repository.getManifest(digest).catch((error: unknown) => {
        throw new PictureBookError('HTTP', `reading the referrers index ${tag}: ${errorMessage(error)}`, { cause: error });
      });
      if (index.parsed.kind === 'index')
        for (const entry of index.parsed.manifests) if (await repository.deleteManifest(entry.digest)) gone.add(entry.digest);
    }
    if (await repository.deleteManifest(digest)) gone.add(digest);
  }
  return gone;
}

/**
 * The referrers recorded for the tag (found through the referrers API, so no tag leads to them)
 * that nothing staying refers to, deleted by digest; one the fallback index's deletion already
 * removed counts as deleted. Returns their digests.
 */
async function deleteRecorded(ctx: DeleteContext, d: Deletion, alreadyGone: ReadonlySet<string>): Promise<string[]> {
  const removable = (await removableReferrers(ctx.view, d.tag, d.digest)).filter((digest) => !ctx.handled.has(digest));
  const deleted: string[] = [];
  for (const digest of removable) {
    ctx.handled.add(digest);
    if (ctx.simulate || alreadyGone.has(digest) || (await ctx.repository.deleteManifest(digest))) deleted.push(digest);
  }
  return deleted;
}
