import { ImageNotFoundError } from '../errors/index.js';
import type { Reference } from '../reference/index.js';
import type { RepositoryClient } from '../registry/index.js';

export type PlanAction = 'copy' | 'up-to-date';

export interface ImageCheck {
  action: PlanAction;
  /** The source manifest's digest: what `copy` then reads, so the tag cannot move in between. */
  digest: string;
}

/**
 * The no-change check, from HEADs only: nothing is read or written, so Docker Hub pull limits and
 * Harbor pull counters are not touched. Source and target are asked at once. With a platform
 * filter the target digest cannot be known without reading the index, so such images check as
 * `copy`; so does a forced copy.
 */
export async function checkImage(source: Reference, target: Reference, sourceRepo: RepositoryClient, targetRepo: RepositoryClient, options: { filtered: boolean; force: boolean }): Promise<ImageCheck> {
  const compare = !options.filtered && !options.force;
  // By tag, or by the source digest the reference itself names: known before the source answers.
  const early = target.tag ?? source.digest;
  const [sourceAnswer, targetAnswer] = await Promise.allSettled([
    source.digest ? undefined : sourceRepo.headManifest(source.identifier),
    compare && early ? targetRepo.headManifest(early) : undefined,
  ]);
  // The source speaks first: a missing image is the news, not what the target thinks of us.
  if (sourceAnswer.status === 'rejected') throw sourceAnswer.reason;
  const digest = source.digest ?? sourceAnswer.value?.digest;
  if (!digest) throw new ImageNotFoundError(source.toString());
  if (!compare) return { action: 'copy', digest };
  if (targetAnswer.status === 'rejected') throw targetAnswer.reason;
  const existing = early ? targetAnswer.value : await targetRepo.headManifest(digest);
  return { action: existing?.digest === digest ? 'up-to-date' : 'copy', digest };
}
