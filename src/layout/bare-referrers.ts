import { isImageMediaType, isIndexMediaType, MANIFEST_SIZE_LIMIT, parseManifest, type ReferrerEntry } from '../registry/index.js';
import { refNameOf, type IndexDocument } from './index-document.js';

/** Reads a manifest the layout holds; undefined when it lacks it (a delta's base holds it). */
export type ReadManifest = (digest: string, size: number) => Promise<Buffer | undefined>;

/**
 * The referrers listed as bare index.json entries (no name), as oras and oras-go's OCI store keep
 * them: each such manifest with a `subject`, by subject digest. An entry is described as the
 * referrers API would (OCI distribution spec 1.1): its media type, digest and size, its
 * `artifactType` (an image's config media type when it has none) and its manifest's annotations.
 * `known` keeps what each manifest said (content-addressed: never stale) across index changes.
 */
export async function bareReferrers(
  index: IndexDocument,
  read: ReadManifest,
  known: Map<string, { subject: string; entry: ReferrerEntry } | null>,
): Promise<Map<string, ReferrerEntry[]>> {
  const bySubject = new Map<string, ReferrerEntry[]>();
  for (const m of index.manifests) {
    if (refNameOf(m) !== undefined || !(isImageMediaType(m.mediaType) || isIndexMediaType(m.mediaType))) continue;
    if (m.size > MANIFEST_SIZE_LIMIT) continue;
    let found = known.get(m.digest);
    if (found === undefined) {
      const bytes = await read(m.digest, m.size);
      if (!bytes) continue;
      found = describe(bytes, m.mediaType, m.digest);
      known.set(m.digest, found);
    }
    if (!found) continue;
    const list = bySubject.get(found.subject) ?? [];
    if (!list.some((e) => e.descriptor.digest === m.digest)) list.push(found.entry);
    bySubject.set(found.subject, list);
  }
  return bySubject;
}

function describe(bytes: Buffer, mediaType: string, digest: string): { subject: string; entry: ReferrerEntry } | null {
  const parsed = parseManifest(bytes, mediaType);
  if (!parsed.subject) return null;
  const artifactType = parsed.artifactType ?? (parsed.kind === 'image' ? parsed.config.mediaType : undefined);
  const annotations = (JSON.parse(bytes.toString('utf8')) as { annotations?: unknown }).annotations;
  const descriptor = { mediaType: parsed.mediaType, digest, size: bytes.length };
  const raw = {
    ...descriptor,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(annotations && typeof annotations === 'object' ? { annotations } : {}),
  };
  return { subject: parsed.subject.digest, entry: { descriptor, artifactType, raw } };
}
