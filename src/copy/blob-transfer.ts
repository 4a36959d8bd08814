import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AuthError, ContentError, HttpError, NetworkError, PictureBookError } from '../errors/index.js';
import type { BlobUpload, ContentRepository, Descriptor } from '../registry/index.js';
import { isTransient, toNetworkError } from '../transport/index.js';
import { openBlobSource } from './blob-source.js';
import { destroyQuietly } from './destroy-quietly.js';
import { DigestVerifier } from './digest-verifier.js';

/** Which end of a blob transfer failed: the place we read from, or the one we write to. */
export type Side = 'source' | 'target';

/** What a transfer throws: the side that failed and its error (unwrapped by the copier, never shown as such). */
export class TransferFailure extends Error {
  readonly side: Side;
  /** The error as shown: a typed error whose message names the side, the blob and the registry's own answer. */
  readonly error: Error;

  constructor(side: Side, error: Error) {
    super(error.message, { cause: error });
    this.name = 'TransferFailure';
    this.side = side;
    this.error = error;
  }

  /**
   * Worth another whole-blob attempt: a broken connection, 408, 429 or a passing 5xx; and a 401 on
   * the upload stream with a token that had not been renewed yet (the next attempt fetches one).
   * Never another 4xx.
   */
  get transient(): boolean {
    return isTransient(this.error) || (this.error instanceof AuthError && this.error.retryWithNewToken);
  }

  /** The registry's `Retry-After`, when it sent one. */
  get retryAfterMs(): number | undefined {
    return this.error instanceof HttpError ? this.error.retryAfterMs : undefined;
  }
}

/** What one blob transfer needs, and whom it tells about resumes. */
export interface TransferContext {
  source: ContentRepository;
  target: ContentRepository;
  blob: Descriptor;
  onProgress: (transferred: number) => void;
  /** A broken connection was resumed at `offset` instead of starting over. */
  onResume: (side: Side, offset: number, reason: string) => void;
  /** Where the first try reads the whole blob from, when not from its own GET (a branch of a read shared by several targets). */
  firstBody?: () => Promise<Readable>;
  /** Aborts once the target failed elsewhere (target-stop.ts): both ends are cut at once and this rejects with its reason, as it is. */
  stop?: AbortSignal | undefined;
}

/** Upload resumes within one session before its break counts as a failure of the whole blob. */
const MAX_UPLOAD_RESUMES = 5;

/**
 * Streams `blob` from the source into an open `upload` of the target, its digest verified on the
 * way; resolves when the target committed it. The first try sends the whole blob (a registry: in
 * the PUT that closes the session). A source that breaks mid-body is resumed inside the stream (see
 * blob-source.ts). An upload whose connection broke goes on where the target kept it (a registry's
 * session says how many bytes it holds; the rest goes in one PATCH and a PUT); distribution 2.8
 * drops such a session, and a layout keeps nothing of a broken write: then this rejects and the
 * caller starts over. Rejects with a TransferFailure naming the side that failed.
 */
export async function transferBlob(ctx: TransferContext, upload: BlobUpload): Promise<void> {
  const { source, target, blob } = ctx;
  let verifier: DigestVerifier;
  try {
    verifier = new DigestVerifier(blob.digest, blob.size, ctx.onProgress);
  } catch (error) {
    throw failure('source', error, source, target, blob);
  }
  let readFrom = 0;
  let open: (() => Promise<Readable>) | undefined = ctx.firstBody;
  let send = (body: Readable): Promise<void> => upload.send(body, blob.digest, blob.size, source.place);
  for (let resumes = 0; ; resumes++) {
    try {
      const body = open ?? (() => openBlobSource(source, blob, readFrom, (offset, reason) => ctx.onResume('source', offset, reason)));
      // A shared read is read once: whatever follows reads the source itself, from where the target kept.
      open = undefined;
      await pump(ctx, body, verifier, send);
      return;
    } catch (thrown) {
      if (ctx.stop?.aborted) throw ctx.stop.reason;
      const broken = thrown instanceof TransferFailure && thrown.side === 'target' && thrown.error instanceof NetworkError;
      const offset = broken && resumes < MAX_UPLOAD_RESUMES ? await upload.resumeOffset().catch(() => undefined) : undefined;
      if (offset === undefined) throw thrown;
      ctx.onResume('target', offset, (thrown as TransferFailure).error.message);
      ({ verifier, readFrom } = verifier.resumeAt(offset));
      send = (body) => upload.sendRest(body, offset, blob.digest, blob.size, source.place);
    }
  }
}

/**
 * Source bytes from `open` (the whole blob or its rest), through `verifier`, into `send`. When one end breaks the other
 * breaks too (a 503 on the PUT cuts the source read short): the first break is the news, so the
 * failure names the side that broke first.
 */
async function pump(
  ctx: TransferContext,
  open: () => Promise<Readable>,
  verifier: DigestVerifier,
  send: (body: Readable) => Promise<void>,
): Promise<void> {
  const { source, target, blob, stop } = ctx;
  let stream: Readable;
  try {
    if (stop?.aborted) throw stop.reason;
    stream = await open();
  } catch (error) {
    destroyQuietly(verifier);
    if (stop?.aborted) throw stop.reason;
    throw failure('source', error, source, target, blob);
  }
  // The target failed elsewhere: cut the read (a tee branch: its buffer is freed, the others go on) and the upload.
  const cut = (): void => {
    destroyQuietly(stream);
    destroyQuietly(verifier);
  };
  if (stop?.aborted) {
    cut();
    throw stop.reason;
  }
  stop?.addEventListener('abort', cut, { once: true });
  try {
    await pumpOpen(ctx, stream, verifier, send);
  } finally {
    stop?.removeEventListener('abort', cut);
  }
}

async function pumpOpen(
  ctx: TransferContext,
  stream: Readable,
  verifier: DigestVerifier,
  send: (body: Readable) => Promise<void>,
): Promise<void> {
  const { source, target, blob, stop } = ctx;
  let first: Side | undefined;
  let sourceError: unknown;
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
    if (!verifier.writableFinished) first ??= 'target';
  });
  const upload = send(verifier).catch((error: unknown) => {
    first ??= 'target';
    // An upload that failed without reading its body leaves both streams open: close them.
    destroyQuietly(verifier);
    destroyQuietly(stream);
    throw error;
  });
  const [read, write] = await Promise.allSettled([pipeline(stream, verifier), upload]);
  if (read.status === 'fulfilled' && write.status === 'fulfilled') return;
  if (stop?.aborted) throw stop.reason;
  if (first === 'source' || write.status === 'fulfilled') {
    throw failure('source', sourceError ?? (read.status === 'rejected' ? read.reason : undefined), source, target, blob);
  }
  throw failure('target', write.reason, source, target, blob);
}

function failure(side: Side, error: unknown, source: ContentRepository, target: ContentRepository, blob: Descriptor): TransferFailure {
  const repo = side === 'source' ? source : target;
  const where = repo.where;
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
