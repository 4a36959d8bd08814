import { ContentError } from '../errors/index.js';
import type { Reference } from '../reference/index.js';

/**
 * A target named without tag or digest takes the source's tag, as `skopeo sync` keeps tags: copying
 * `app:1.2` to `mirror/app` writes `mirror/app:1.2`. A source with neither means `latest` on both
 * sides. A source named by digest alone leaves the target by digest (nothing to name it after).
 */
export function withSourceTag(source: Reference, target: Reference): Reference {
  if (target.tag !== undefined || target.digest !== undefined) return target;
  if (source.tag !== undefined) return target.withTag(source.tag);
  return source.digest === undefined ? target.withTag('latest') : target;
}

/**
 * `DST@sha256:X` promises the target will hold X: the source's manifest must be X. Checked once the
 * source digest is known, before anything is read or written.
 */
export function assertTargetDigest(source: Reference, target: Reference, sourceDigest: string): void {
  if (target.digest === undefined || target.digest === sourceDigest) return;
  throw new ContentError(
    'TARGET_DIGEST_MISMATCH',
    `${source} is ${sourceDigest}, not ${target.digest} as the target ${target} requires: nothing was copied`,
  );
}
