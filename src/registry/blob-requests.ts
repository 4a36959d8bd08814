import type { Readable } from 'node:stream';
import { ContentError } from '../errors/index.js';
import { discardBody, headerValue, readBodyLimited } from '../transport/index.js';
import { verifyBytes } from './content-digest.js';
import { blobPath, send, type RepositoryContext } from './repository-context.js';

/**
 * Drops a body we will not read. undici's body emits 'error' when destroyed before its end, and
 * an 'error' with no listener kills the process: listen first.
 */
function abandon(body: Readable): void {
  body.once('error', () => {});
  body.destroy();
}

/** Size of a blob if the repository has it, else undefined. */
export async function headBlob(ctx: RepositoryContext, digest: string): Promise<number | undefined> {
  const response = await send(ctx, {
    method: 'HEAD',
    path: blobPath(ctx.name, digest),
    expect: [200, 404],
  });
  await discardBody(response.body);
  if (response.status === 404) return undefined;
  const length = headerValue(response, 'content-length');
  return length === undefined ? -1 : Number(length);
}

/**
 * A blob as a stream (redirects to storage followed by the transport). The caller owns the stream
 * and verifies its digest while it flows.
 */
export async function getBlob(ctx: RepositoryContext, digest: string, expectedSize?: number): Promise<{ stream: Readable; size: number }> {
  const response = await send(ctx, {
    method: 'GET',
    path: blobPath(ctx.name, digest),
    expect: [200],
    blob: true,
  });
  const length = headerValue(response, 'content-length');
  const size = length === undefined ? (expectedSize ?? -1) : Number(length);
  if (expectedSize !== undefined && size >= 0 && size !== expectedSize) {
    abandon(response.body);
    throw new ContentError(
      'SIZE_MISMATCH',
      `blob ${digest} in ${ctx.transport.registry}/${ctx.name}: registry says ${size} bytes, manifest says ${expectedSize}`,
    );
  }
  return { stream: response.body, size };
}

/**
 * The rest of a blob from byte `offset` (`Range: bytes=N-`), to resume a read that broke. Undefined
 * when the registry (or the storage it redirects to) ignores the range and answers 200 with the
 * whole blob, or answers a range that does not start at `offset`: then only a restart is possible.
 */
export async function getBlobFrom(ctx: RepositoryContext, digest: string, offset: number, size: number): Promise<Readable | undefined> {
  const response = await send(ctx, {
    method: 'GET',
    path: blobPath(ctx.name, digest),
    headers: { range: `bytes=${offset}-` },
    expect: [200, 206],
  });
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headerValue(response, 'content-range') ?? '');
  if (response.status !== 206 || Number(range?.[1]) !== offset || Number(range?.[2]) !== size - 1) {
    abandon(response.body);
    return undefined;
  }
  return response.body;
}

/** A small blob (an image config) read whole, at most `limit` bytes, and verified against its digest. */
export async function readBlob(ctx: RepositoryContext, digest: string, size: number, limit: number): Promise<Buffer> {
  const where = `blob ${digest} in ${ctx.transport.registry}/${ctx.name}`;
  if (size > limit) throw new ContentError('SIZE_MISMATCH', `${where}: ${size} bytes is more than the ${limit} read whole`);
  const { stream } = await getBlob(ctx, digest, size);
  const bytes = await readBodyLimited(stream, limit, where, 'SIZE_MISMATCH');
  if (bytes.length !== size) throw new ContentError('SIZE_MISMATCH', `${where}: got ${bytes.length} bytes, manifest says ${size}`);
  verifyBytes(bytes, digest, where);
  return bytes;
}
