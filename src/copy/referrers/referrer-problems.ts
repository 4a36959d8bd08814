import { CancelledError, PictureBookError, errorInfo } from '../../errors/index.js';
import type { ContentRepository } from '../../registry/index.js';
import type { CopyEventListener } from '../events.js';

/** What could not be listed: a referrers API answer, a fallback tag `<alg>-<hex>`, a repository's tags (cosign's). */
export type ReferrerListing = 'referrers' | 'referrers-tag' | 'tags';

/**
 * Whether a failure of referrer work is passed over with a warning rather than failing the image:
 * any typed error while the run goes on. A stop (the repository's signal aborted, a CancelledError)
 * and a bug (anything untyped) still end the copy.
 */
export function passable(error: unknown, repo: ContentRepository): error is PictureBookError {
  return error instanceof PictureBookError && !(error instanceof CancelledError) && repo.signal?.aborted !== true;
}

/**
 * Runs a listing of referrers or tags at `repo`. A source that does not offer it (404 UNSUPPORTED,
 * 401/403, an answer that is not JSON, a network failure after the retries) must not fail an image
 * that was copied: the listing is undefined and a `referrers-not-listed` warning names where and what.
 */
export async function listOrWarn<T>(
  repo: ContentRepository,
  listing: ReferrerListing,
  about: { target: string; subject: string; emit: CopyEventListener },
  list: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await list();
  } catch (error) {
    if (!passable(error, repo)) throw error;
    about.emit({
      type: 'referrers-not-listed',
      target: about.target,
      subject: about.subject,
      place: repo.place,
      repository: repo.name,
      listing,
      error: errorInfo(error),
      time: Date.now(),
    });
    return undefined;
  }
}

/**
 * Copies one referrer (or writes one fallback tag). A failure is a `referrer-failed` warning and a
 * failed count, not the image's failure: the image is at the target and tagged by then, and one
 * signature that does not travel is reported, not made to undo or fail what did.
 */
export async function copyOrWarn(
  repo: ContentRepository,
  about: { target: string; subject: string; digest?: string; tag?: string; emit: CopyEventListener; counts: { failed: number } },
  copy: () => Promise<void>,
): Promise<boolean> {
  try {
    await copy();
    return true;
  } catch (error) {
    if (!passable(error, repo)) throw error;
    about.counts.failed++;
    about.emit({
      type: 'referrer-failed',
      target: about.target,
      subject: about.subject,
      ...(about.digest ? { digest: about.digest } : {}),
      ...(about.tag ? { tag: about.tag } : {}),
      error: errorInfo(error),
      time: Date.now(),
    });
    return false;
  }
}
