import type { Reference } from '../reference/index.js';
import type { ContentRepository } from '../registry/index.js';

/**
 * Whether the target tag (a digest reference: the digest itself) already holds `digest`, one HEAD;
 * never asked with --force, which rewrites whatever is there. A failed HEAD throws: each caller
 * says what an error means (the copy and the dry run fail, a grouped destination copies).
 */
export async function targetHolds(repo: ContentRepository, target: Reference, digest: string, force: boolean): Promise<boolean> {
  if (force) return false;
  return (await repo.headManifest(target.tag ?? digest))?.digest === digest;
}
