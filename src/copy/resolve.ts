import { CancelledError, HttpError, LayoutError } from '../errors/index.js';
import { isDigest } from '../reference/index.js';
import { referencedBlobs, type FetchedManifest, type ContentRepository } from '../registry/index.js';
import { settleAll } from './settle-all.js';
import { presentAtTarget, readChild } from './manifest-tree.js';
import { imageNotFound } from './not-found.js';

/** A child of an index, settled before the transfer: fetched, or already at the target by digest. */
export type PrefetchedChild = FetchedManifest | 'present';

/** What a copy knows before it takes a transfer slot. */
export interface ResolvedImage {
  manifest: FetchedManifest;
  /** Children of an unfiltered index, by digest (other manifests: empty). */
  children: Map<string, PrefetchedChild>;
  /** Blob bytes the image references, its present children left out: its place in the transfer queue. */
  bytes: number;
}

export interface ResolveInput {
  sourceRepo: ContentRepository;
  targetRepo: ContentRepository;
  /** The digest the no-change check found: read by digest, so the tag cannot move in between. */
  sourceDigest: string;
  /** The source manifest when the check already read it (see manifest-lookup.ts). */
  sourceManifest?: FetchedManifest | undefined;
  shownSource: string;
  filtered: boolean;
  force: boolean;
}

/** Source manifest by reference, with 404s turned into a clear "image not found". */
export async function fetchSource(repo: ContentRepository, reference: string, shown: string): Promise<FetchedManifest> {
  try {
    return await repo.getManifest(reference);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) throw await imageNotFound(repo, shown, reference, error);
    throw error;
  }
}

/**
 * A source manifest by digest. A delta bundle names an image its base carried without the
 * manifest's bytes, which stay in the base (layout subject-names.ts): a copy that must read it (with a
 * platform filter) finds it missing (BLOB_MISSING). Once the base was imported, the
 * target holds it by the same digest (checked as it is read), so it is read there; else the
 * source's error stands, naming the bundle to import first.
 */
export async function fetchSourceOrTarget(
  source: ContentRepository,
  target: ContentRepository,
  digest: string,
  shown: string,
): Promise<FetchedManifest> {
  try {
    return await fetchSource(source, digest, shown);
  } catch (error) {
    if (!(error instanceof LayoutError && error.code === 'BLOB_MISSING') || !isDigest(digest)) throw error;
    return target.getManifest(digest).catch((failed: unknown) => Promise.reject(failed instanceof CancelledError ? failed : error));
  }
}

const blobBytes = (manifest: FetchedManifest): number =>
  manifest.parsed.kind === 'image' ? referencedBlobs(manifest.parsed).reduce((sum, b) => sum + Math.max(0, b.size), 0) : 0;

/**
 * Reads the manifests of an image that needs copying (each once: the transfer uses them as they
 * are) and sums the bytes it references, so the biggest images can start first: a large image
 * started last would stream alone at the end of a run. With a platform filter the children are
 * chosen later; such an index counts as 0 bytes.
 */
export async function resolveImage(input: ResolveInput): Promise<ResolvedImage> {
  const manifest =
    input.sourceManifest ?? (await fetchSourceOrTarget(input.sourceRepo, input.targetRepo, input.sourceDigest, input.shownSource));
  const children = new Map<string, PrefetchedChild>();
  if (manifest.parsed.kind === 'image' || input.filtered) return { manifest, children, bytes: blobBytes(manifest) };
  let bytes = 0;
  await settleAll(
    manifest.parsed.manifests.map(async ({ digest }) => {
      if (await presentAtTarget(input.targetRepo, digest, input.force)) {
        children.set(digest, 'present');
        return;
      }
      const child = await readChild(input.sourceRepo, input.targetRepo, digest);
      children.set(digest, child);
      bytes += blobBytes(child);
    }),
  );
  return { manifest, children, bytes };
}
