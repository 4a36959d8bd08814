import type { Readable } from 'node:stream';
import { ProtocolError } from '../errors/index.js';
import { repositoryScope } from '../reference/index.js';
import { readOnlyError } from './read-only.js';
import { discardBody, headerValue, type TransportResponse } from '../transport/index.js';
import { send, uploadsPath, type RepositoryContext } from './repository-context.js';

/** An open upload session: only the newest `Location` the registry returned is valid. */
export interface UploadSession {
  location: URL;
}

function sessionFrom(response: TransportResponse, ctx: RepositoryContext): UploadSession {
  const location = headerValue(response, 'location');
  if (!location) throw new ProtocolError(`${ctx.transport.registry}/${ctx.name}: upload answer without Location header`);
  // Location may be absolute or relative: resolve against the URL that answered, as the spec says.
  return { location: new URL(location, response.url) };
}

/** Opens an upload session (POST .../blobs/uploads/). */
export async function startUpload(ctx: RepositoryContext): Promise<UploadSession> {
  const response = await send(ctx, {
    method: 'POST',
    path: uploadsPath(ctx.name),
    headers: { 'content-length': '0' },
    expect: [202],
  }).catch((error: unknown) => {
    throw readOnlyError(ctx, error) ?? error;
  });
  await discardBody(response.body);
  return sessionFrom(response, ctx);
}

/**
 * Cross-repository mount: 201 means the registry linked the blob without a byte moving; 202
 * means it could not (unknown blob, no pull right on `from`) and opened a normal upload session
 * instead, which the caller uses rather than opening another.
 */
export async function mountBlob(ctx: RepositoryContext, digest: string, from: string): Promise<'mounted' | UploadSession> {
  const response = await send(ctx, {
    method: 'POST',
    path: uploadsPath(ctx.name, { digest, from }),
    headers: { 'content-length': '0' },
    scopes: [...ctx.scopes, repositoryScope(from, 'pull')],
    expect: [201, 202],
  });
  await discardBody(response.body);
  return response.status === 201 ? 'mounted' : sessionFrom(response, ctx);
}

/** Appends `digest=` to a Location without re-encoding its other parameters (`_state` is opaque). */
function withDigest(location: URL, digest: string): URL {
  const url = new URL(location);
  url.search = `${url.search ? `${url.search}&` : '?'}digest=${encodeURIComponent(digest)}`;
  return url;
}

/**
 * Sends a whole blob in the PUT that closes the session (the spec's monolithic upload: POST, then
 * PUT ?digest= with the body). One request instead of PATCH + PUT, and distribution 2.8 then
 * neither saves its hash state after a PATCH nor reads it back at the PUT. The registry verifies
 * the digest before it commits; a mismatch is 400 DIGEST_INVALID and nothing lands.
 * Not retried here: the stream is consumed, so a failure restarts the whole blob copy above.
 */
export async function uploadBlob(
  ctx: RepositoryContext,
  session: UploadSession,
  digest: string,
  size: number,
  body: Readable,
  fedBy?: string,
): Promise<void> {
  // A body of unknown length goes chunked; the registry still checks it against the digest.
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (size >= 0) headers['content-length'] = String(size);
  const put = await send(ctx, {
    method: 'PUT',
    path: withDigest(session.location, digest),
    headers,
    body,
    fedBy,
    expect: [201, 204],
  });
  await discardBody(put.body);
}

/**
 * Where an upload session stands (GET on its Location): the bytes the registry holds and the newest
 * Location. Undefined when the registry no longer has the session: distribution 2.8 cancels one
 * whose request broke mid-body (what it stored no longer matches the offset its `_state` carries).
 */
export async function uploadStatus(
  ctx: RepositoryContext,
  session: UploadSession,
): Promise<{ session: UploadSession; offset: number } | undefined> {
  const response = await send(ctx, { method: 'GET', path: session.location, expect: [204, 200, 404] });
  await discardBody(response.body);
  if (response.status === 404) return undefined;
  // `Range: 0-<last byte>`; distribution also says 0-0 for an empty session: resend from 0 then.
  const range = /^(?:bytes=)?0-(\d+)$/.exec(headerValue(response, 'range') ?? '');
  if (!range) return undefined;
  const last = Number(range[1]);
  return { session: headerValue(response, 'location') ? sessionFrom(response, ctx) : session, offset: last === 0 ? 0 : last + 1 };
}

/**
 * Appends the rest of a blob, from byte `offset` of `size`, to a session in one PATCH (the spec's
 * chunked upload; `Content-Range` says where it goes). Returns the session's new Location.
 */
export async function appendUpload(
  ctx: RepositoryContext,
  session: UploadSession,
  offset: number,
  size: number,
  body: Readable,
  fedBy?: string,
): Promise<UploadSession> {
  const response = await send(ctx, {
    method: 'PATCH',
    path: session.location,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(size - offset),
      'content-range': `${offset}-${size - 1}`,
    },
    body,
    fedBy,
    expect: [202, 204],
  });
  await discardBody(response.body);
  return headerValue(response, 'location') ? sessionFrom(response, ctx) : session;
}

/** Closes a session whose bytes were all sent (PUT ?digest= with no body); the registry verifies the digest. */
export async function completeUpload(ctx: RepositoryContext, session: UploadSession, digest: string): Promise<void> {
  const response = await send(ctx, {
    method: 'PUT',
    path: withDigest(session.location, digest),
    headers: { 'content-length': '0' },
    expect: [201, 204],
  });
  await discardBody(response.body);
}

/** Abandons a session so the registry can free it; failures are irrelevant to the caller. */
export async function cancelUpload(ctx: RepositoryContext, session: UploadSession): Promise<void> {
  try {
    // Not tied to the run's signal: a stopped copy still frees the session it leaves.
    const response = await send(ctx, { method: 'DELETE', path: session.location, expect: [204, 202, 200, 404], signal: undefined });
    await discardBody(response.body);
  } catch {
    // Best effort: the registry expires abandoned sessions on its own.
  }
}
