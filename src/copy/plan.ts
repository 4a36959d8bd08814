import { ImageNotFoundError } from '../errors/index.js';
import type { Reference } from '../reference/index.js';
import type { RepositoryClient } from '../registry/index.js';

export type PlanAction = 'copy' | 'up-to-date';

/**
 * What a copy would do, from HEADs only: nothing is read or written. With a platform filter the
 * target digest cannot be known without reading the index, so such images plan as `copy`.
 */
export async function planImage(source: Reference, target: Reference, sourceRepo: RepositoryClient, targetRepo: RepositoryClient, filtered: boolean): Promise<{ action: PlanAction; digest: string | undefined }> {
  let digest = source.digest;
  if (!digest) {
    const head = await sourceRepo.headManifest(source.identifier);
    if (!head) throw new ImageNotFoundError(source.toString());
    digest = head.digest;
  }
  if (filtered || !digest) return { action: 'copy', digest };
  const existing = await targetRepo.headManifest(target.tag ?? digest);
  return { action: existing?.digest === digest ? 'up-to-date' : 'copy', digest };
}
