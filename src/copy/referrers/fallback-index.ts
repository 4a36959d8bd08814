import { MediaType } from '../../registry/index.js';

/** A descriptor as a referrers index holds it: `digest` at least, the rest as it came. */
export type IndexEntry = Record<string, unknown> & { digest: string };

/**
 * The fallback tag's index after adding `entries` (OCI distribution spec 1.1, "Pushing Manifests
 * with Subject": read the index, add the descriptor, write it back). Every descriptor it already
 * holds is kept in place, ours included, and one already there is never added twice; the index's
 * own fields (annotations, ...) stay. Undefined when nothing is missing: no write is needed.
 */
export function mergeFallbackIndex(existing: Buffer | undefined, entries: readonly IndexEntry[]): Buffer | undefined {
  const doc = existing ? (JSON.parse(existing.toString('utf8')) as Record<string, unknown>) : emptyIndex();
  const held = Array.isArray(doc.manifests) ? (doc.manifests as Array<Record<string, unknown>>) : [];
  const digests = new Set(held.map((m) => m.digest));
  const added: IndexEntry[] = [];
  for (const entry of entries) {
    if (digests.has(entry.digest)) continue;
    digests.add(entry.digest);
    added.push(entry);
  }
  if (existing && added.length === 0) return undefined;
  return Buffer.from(JSON.stringify({ ...doc, mediaType: MediaType.ociIndex, manifests: [...held, ...added] }));
}

function emptyIndex(): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
}

/** The digests a fallback index lists. */
export function indexDigests(bytes: Buffer): Set<string> {
  const doc = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown };
  const list = Array.isArray(doc.manifests) ? (doc.manifests as Array<{ digest?: unknown }>) : [];
  return new Set(list.map((m) => m.digest).filter((d): d is string => typeof d === 'string'));
}
