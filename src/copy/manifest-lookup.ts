import type { FetchedManifest, ContentRepository } from '../registry/index.js';

/** What a registry says a reference points at: its digest, and the manifest when reading it was the only way. */
export interface ManifestLookup {
  digest: string;
  /** The manifest's media type as the registry answered it (Content-Type), when it said. */
  mediaType?: string | undefined;
  /** Read by GET because the HEAD answer had no digest: the copy uses it rather than reading it again. */
  manifest?: FetchedManifest;
}

/**
 * The digest `reference` points at, from a HEAD (costs no pull on Docker Hub). A registry that
 * answers the HEAD without `Docker-Content-Digest` (the header is optional before distribution
 * spec 1.1) is asked again with a GET, whose bytes are hashed; `onFallback` counts it.
 * Undefined when the registry does not have the manifest.
 */
export async function lookUpManifest(
  repo: ContentRepository,
  reference: string,
  onFallback?: () => void,
): Promise<ManifestLookup | undefined> {
  const head = await repo.headManifest(reference);
  if (!head) return undefined;
  if (head.digest) return { digest: head.digest, mediaType: head.mediaType };
  onFallback?.();
  const manifest = await repo.getManifest(reference);
  return { digest: manifest.digest, mediaType: manifest.mediaType, manifest };
}
