import type { CopyEvent } from './events.js';
import type { CopyResult } from './image-copier.js';

/** The image-done event of a copied image, its figures as its result has them (a plain copy's or a grouped destination's). */
export function imageDoneEvent(result: CopyResult, time: number): CopyEvent {
  const { source, target, digest, sourceDigest, bytes, blobsCopied, blobsSkipped, blobsMounted, durationMs } = result;
  return {
    type: 'image-done',
    source,
    target,
    digest,
    sourceDigest,
    bytes,
    blobsCopied,
    blobsSkipped,
    blobsMounted,
    durationMs,
    ...(result.referrers ? { referrers: result.referrers } : {}),
    time,
  };
}
