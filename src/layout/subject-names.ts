import { isCosignTagOf, referrersTag } from '../registry/index.js';
import { REF_NAME, refNameOf, type IndexDocument, type IndexEntry } from './index-document.js';
import type { Inventory } from './inventory.js';
import { parseRefName } from './ref-names.js';

/**
 * The names a delta bundle gives, beside `tag` (a subject's fallback tag `sha256-<hex>` or a cosign
 * tag `sha256-<hex>.sig`), to that subject when its base bundle named it in `repository` and the
 * delta does not: the image is up to date, so the delta would not name it otherwise, and an import
 * that selects it by name would never reach what is new about it. Each entry describes the manifest
 * as the base listed it (media type and size from the inventory); its bytes stay in the base, as the
 * image-layout spec allows ("blobs ... MAY be missing"), and the import finds the image at the target.
 * A base inventory without media types (written before picture-book kept them) names nothing.
 */
export function subjectNames(base: Inventory | undefined, repository: string, tag: string, index: IndexDocument): IndexEntry[] {
  if (!base || !tag.includes('-')) return [];
  const named = new Set(index.manifests.map(refNameOf));
  const entries: IndexEntry[] = [];
  for (const [name, digest] of base.images) {
    if (named.has(name) || (tag !== referrersTag(digest) && !isCosignTagOf(tag, digest))) continue;
    const parsed = parseRefName(name);
    const blob = base.blobs.get(digest);
    if (!parsed || !('tag' in parsed) || parsed.repository !== repository || blob?.mediaType === undefined) continue;
    entries.push({ mediaType: blob.mediaType, digest, size: blob.size, annotations: { [REF_NAME]: name } });
  }
  return entries;
}
