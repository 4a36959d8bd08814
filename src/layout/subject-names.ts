import { isCosignTagOf, referrersTag } from '../registry/index.js';
import { REF_NAME, refNameOf, type IndexDocument, type IndexEntry } from './index-document.js';
import type { Inventory } from './inventory.js';
import { parseRefName } from './ref-names.js';

/** What a delta bundle is writing: under a tag or not, and where in an image's referrer tree. */
export interface SubjectWrite {
  /** A tag: a fallback tag `sha256-<hex>`, a cosign tag `sha256-<hex>.sig`, ... */
  tag?: string | undefined;
  /** The image's digest, then each subject down to the one written about (PutManifestOptions.referrerPath). */
  path?: readonly string[] | undefined;
}

/** Whether `tag` is a referrer tag of `digest`: its fallback tag or one of its cosign tags. */
const tagOf = (tag: string, digest: string) => tag === referrersTag(digest) || isCosignTagOf(tag, digest);

/**
 * The names a delta bundle gives, beside what it writes, to what its base bundle named in
 * `repository` and the delta does not: the image whose referrer tree the write belongs to (a new
 * signature of its SBOM, of a child of its index), the subject of the tag written, and the
 * referrer tags (fallback index, cosign tags) of every subject on the path from the image down.
 * They are up to date, so the delta would not name them otherwise, and an import that selects the
 * image by name would never reach what is new about it: it follows the image's referrer tags to
 * its SBOM (at the target already), then the SBOM's new fallback index. Each entry describes the
 * manifest as the base listed it (media type and size from the inventory); its bytes stay in the
 * base, as the image-layout spec allows ("blobs ... MAY be missing"), and the import finds them at
 * the target. A base inventory without media types (written before picture-book kept them) names nothing.
 */
export function subjectNames(base: Inventory | undefined, repository: string, write: SubjectWrite, index: IndexDocument): IndexEntry[] {
  if (!base) return [];
  const { tag, path = [] } = write;
  const named = new Set(index.manifests.map(refNameOf));
  const entries: IndexEntry[] = [];
  for (const [name, digest] of base.images) {
    const parsed = parseRefName(name);
    if (named.has(name) || !parsed || !('tag' in parsed) || parsed.repository !== repository || parsed.tag === tag) continue;
    const about = digest === path[0] || (tag !== undefined && tagOf(tag, digest)) || path.some((subject) => tagOf(parsed.tag, subject));
    const blob = base.blobs.get(digest);
    if (about && blob?.mediaType !== undefined)
      entries.push({ mediaType: blob.mediaType, digest, size: blob.size, annotations: { [REF_NAME]: name } });
  }
  return entries;
}
