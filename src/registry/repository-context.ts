import { InvalidReferenceError } from '../errors/index.js';
import { digestProblem, isRepositoryPath, isTag } from '../reference/index.js';
import type { RetryListener, Transport, TransportRequest, TransportResponse } from '../transport/index.js';

/** What every repository-level call needs: the host's transport, the repository and its scopes. */
export interface RepositoryContext {
  transport: Transport;
  /** Repository path on the registry, e.g. `library/nginx`. */
  name: string;
  /** Token scopes for this repository: `pull`, or `pull,push` on a target. */
  scopes: readonly string[];
  signal?: AbortSignal | undefined;
  /** Hears the retries of every request made here: the listener of whoever opened the client (a copy). */
  onRetry?: RetryListener | undefined;
}

/**
 * A request in this repository, with its scopes (a mount names more), the caller's signal and the
 * caller's retry listener: every request of a copy reports its retries to that copy.
 */
export function send(
  ctx: RepositoryContext,
  request: Omit<TransportRequest, 'scopes'> & { scopes?: readonly string[] },
): Promise<TransportResponse> {
  return ctx.transport.request({ scopes: ctx.scopes, signal: ctx.signal, onRetry: ctx.onRetry, ...request });
}

/*
 * Every registry URL of a repository is built here, and only from grammatical parts: the path is
 * resolved with `new URL`, so a `..` or `/` smuggled into a name, tag or digest (from a hostile
 * manifest, header or listing) would move the request to another repository. Callers validate
 * earlier with better messages; these checks are the last line, not the first.
 */

function assertRepository(name: string): void {
  if (!isRepositoryPath(name))
    throw new InvalidReferenceError(name, 'repository', 'is not a valid repository path: refusing to build a registry URL from it');
}

function assertDigest(name: string, digest: string): void {
  const problem = digestProblem(digest);
  if (problem !== undefined)
    throw new InvalidReferenceError(`${name}@${digest}`, 'digest', `${problem}: refusing to build a registry URL from it`);
}

/** `/v2/<name>/manifests/<tag or digest>`. */
export function manifestPath(name: string, reference: string): string {
  assertRepository(name);
  if (!isTag(reference)) assertDigest(name, reference);
  return `/v2/${name}/manifests/${reference}`;
}

/** `/v2/<name>/blobs/<digest>`. */
export function blobPath(name: string, digest: string): string {
  assertRepository(name);
  assertDigest(name, digest);
  return `/v2/${name}/blobs/${digest}`;
}

/** `/v2/<name>/blobs/uploads/`, optionally a cross-repository mount of `digest` from `from`. */
export function uploadsPath(name: string, mount?: { digest: string; from: string }): string {
  assertRepository(name);
  if (!mount) return `/v2/${name}/blobs/uploads/`;
  assertDigest(name, mount.digest);
  assertRepository(mount.from);
  return `/v2/${name}/blobs/uploads/?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}`;
}

/** `/v2/<name>/tags/list`. */
export function tagsPath(name: string): string {
  assertRepository(name);
  return `/v2/${name}/tags/list`;
}
