import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentError, HttpError, NetworkError, PictureBookError } from '../errors/index.js';
import type { Descriptor, RepositoryClient, UploadSession } from '../registry/index.js';
import { isRetryableStatus, toNetworkError } from '../transport/index.js';
import { DigestVerifier } from './digest-verifier.js';

/** Which end of a blob transfer failed: the registry we read from, or the one we upload to. */
export type Side = 'source' | 'target';

export class TransferFailure {
  readonly side: Side;
  /** The error as shown: a typed error whose message names the side, the blob and the registry's own answer. */
  readonly error: Error;

  constructor(side: Side, error: Error) {
    this.side = side;
    this.error = error;
  }

  /** Worth another whole-blob attempt: a broken connection, 408, 429 or a passing 5xx. Never another 4xx. */
  get transient(): boolean {
    const error = this.error;
    if (error instanceof NetworkError) return true;
    if (error instanceof HttpError) return error.status === 408 || isRetryableStatus(error.status);
    return false;
  }

  /** The registry's `Retry-After`, when it sent one. */
  get retryAfterMs(): number | undefined {
    return this.error instanceof HttpError ? this.error.retryAfterMs : undefined;
  }
}

/** An undici body destroyed before its end emits 'error'; one with no listener kills the process. */
export function destroyQuietly(stream: Readable | DigestVerifier | undefined): void {
  if (!stream || stream.destroyed) return;
  stream.on('error', () => {});
  stream.destroy();
}

/**
 * One attempt at streaming `blob` from `source` into an open upload `session` of `target`, its
 * digest verified on the way. Resolves when the target committed it; otherwise rejects with a
 * TransferFailure naming the side that failed first. That matters: when one end breaks, the
 * other breaks too (a 503 on the PUT cuts the source read short), and the first break is the news.
 */
export async function transferBlob(source: RepositoryClient, target: RepositoryClient, session: UploadSession, blob: Descriptor, onProgress: (transferred: number) => void): Promise<void> {
  let stream: Readable | undefined;
  let verifier: DigestVerifier | undefined;
  let first: Side | undefined;
  let sourceError: unknown;
  try {
    verifier = new DigestVerifier(blob.digest, blob.size, onProgress);
    ({ stream } = await source.getBlob(blob.digest, blob.size));
  } catch (error) {
    destroyQuietly(verifier);
    throw failure('source', error, source, target, blob);
  }
  // Listened to before pipeline listens, so these see each end's own failure first.
  stream.once('error', (error) => {
    first ??= 'source';
    sourceError ??= error;
  });
  verifier.once('error', (error) => {
    // The verifier fails on its own only for content (size, digest): the source's bytes.
    if (error instanceof ContentError) sourceError ??= error;
    first ??= error instanceof ContentError ? 'source' : 'target';
  });
  verifier.once('close', () => {
    // The upload dropped its body before the end: the target went away.
    if (!verifier?.writableFinished) first ??= 'target';
  });
  const upload = target.uploadBlob(session, blob.digest, blob.size, verifier).catch((error: unknown) => {
    first ??= 'target';
    // An upload that failed without reading its body leaves both streams open: close them.
    destroyQuietly(verifier);
    destroyQuietly(stream);
    throw error;
  });
  const [read, write] = await Promise.allSettled([pipeline(stream, verifier), upload]);
  if (read.status === 'fulfilled' && write.status === 'fulfilled') return;
  if (first === 'source' || write.status === 'fulfilled') {
    throw failure('source', sourceError ?? (read.status === 'rejected' ? read.reason : undefined), source, target, blob);
  }
  throw failure('target', write.reason, source, target, blob);
}

function failure(side: Side, error: unknown, source: RepositoryClient, target: RepositoryClient, blob: Descriptor): TransferFailure {
  const repo = side === 'source' ? source : target;
  const where = `${repo.registry}/${repo.name}`;
  const context = `${side} ${where}: ${side === 'source' ? 'download' : 'upload'} of blob ${blob.digest} failed`;
  if (error instanceof PictureBookError) {
    // The same typed error (class, code, status, registry code), its message saying where it happened.
    error.message = `${context}: ${error.message}`;
    return new TransferFailure(side, error);
  }
  // A connection that broke mid-body surfaces from a stream, not from a request.
  const method = side === 'source' ? 'GET' : 'PUT';
  const wrapped = toNetworkError(method, where, error);
  wrapped.message = `${context}: ${wrapped.message.slice(`${method} ${where}: `.length)}`;
  return new TransferFailure(side, wrapped);
}
