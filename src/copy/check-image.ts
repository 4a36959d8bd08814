import type { Reference } from '../reference/index.js';
import type { FetchedManifest, ContentRepository } from '../registry/index.js';
import { lookUpManifest } from './manifest-lookup.js';
import { imageNotFound } from './not-found.js';
import { assertTargetDigest } from './target-defaults.js';

export type PlanAction = 'copy' | 'up-to-date';

export interface ImageCheck {
  action: PlanAction;
  /** The source manifest's digest: what `copy` then reads, so the tag cannot move in between. */
  digest: string;
  /** The source manifest, when the check had to read it (a HEAD without digest): not read twice. */
  manifest?: FetchedManifest;
  /** Up to date: the media type the target answered for it (an index's children have referrers too). */
  targetMediaType?: string | undefined;
  /** The media type the source answered for it, when it said (a dry run counts an index's children's referrers). */
  sourceMediaType?: string | undefined;
}

export interface CheckOptions {
  filtered: boolean;
  force: boolean;
  /** A HEAD came back without `Docker-Content-Digest`, so a GET stood in for it (`reference` names which). */
  onDigestFallback?: (reference: string) => void;
}

/**
 * The no-change check, from HEADs only: nothing is read or written, so Docker Hub pull limits and
 * Harbor pull counters are not touched. Source and target are asked at once. With a platform
 * filter the target digest cannot be known without reading the index, so such images check as
 * `copy`; so does a forced copy.
 */
export async function checkImage(
  source: Reference,
  target: Reference,
  sourceRepo: ContentRepository,
  targetRepo: ContentRepository,
  options: CheckOptions,
): Promise<ImageCheck> {
  const compare = !options.filtered && !options.force;
  const fallback = (reference: Reference | string) => () => options.onDigestFallback?.(reference.toString());
  // By tag, or by the source digest the reference itself names: known before the source answers.
  const early = target.tag ?? source.digest;
  const [sourceAnswer, targetAnswer] = await Promise.allSettled([
    source.digest ? undefined : lookUpManifest(sourceRepo, source.identifier, fallback(source)),
    compare && early ? lookUpManifest(targetRepo, early, fallback(target)) : undefined,
  ]);
  // The source speaks first: a missing image is the news, not what the target thinks of us.
  if (sourceAnswer.status === 'rejected') throw sourceAnswer.reason;
  const digest = source.digest ?? sourceAnswer.value?.digest;
  if (!digest) throw await imageNotFound(sourceRepo, source.toString(), source.identifier);
  assertTargetDigest(source, target, digest);
  const manifest = sourceAnswer.value?.manifest;
  const sourceMediaType = sourceAnswer.value?.mediaType;
  const check = (action: PlanAction): ImageCheck => ({
    action,
    digest,
    ...(manifest ? { manifest } : {}),
    ...(sourceMediaType ? { sourceMediaType } : {}),
  });
  if (!compare) return check('copy');
  if (targetAnswer.status === 'rejected') throw targetAnswer.reason;
  const existing = early ? targetAnswer.value : await lookUpManifest(targetRepo, digest, fallback(`${target.name}@${digest}`));
  return existing?.digest === digest ? { ...check('up-to-date'), targetMediaType: existing.mediaType } : check('copy');
}
