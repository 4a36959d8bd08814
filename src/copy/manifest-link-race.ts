import { HttpError } from '../errors/index.js';

/**
 * distribution 2.8 rewrites a repository's link to a blob in place when the blob is pushed there
 * again, and a manifest PUT that reads the link meanwhile answers 400 DIGEST_INVALID. Within one
 * process the blob copier never lets that happen (one push of a blob per repository at a time);
 * across processes it does: two queue workers, or two `load`s, copying images that share a layer
 * into one repository. It passes once the other push is done, so the same PUT is sent again.
 */
export const MANIFEST_PUT_ATTEMPTS = 3;

export function isLinkRace(error: unknown): error is HttpError {
  return error instanceof HttpError && error.status === 400 && error.registryCode === 'DIGEST_INVALID';
}

/** 100 ms, then 200 ms: a blob link is written in milliseconds. */
export const linkRaceDelayMs = (attempt: number): number => 100 * 2 ** (attempt - 1);
