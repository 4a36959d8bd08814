import { createHash } from 'node:crypto';
import { ContentError } from '../errors/index.js';
import { discardBody, headerValue, readBodyLimited } from '../transport/index.js';
import { MANIFEST_ACCEPT, MANIFEST_SIZE_LIMIT } from './media-types.js';
import { parseManifest, type ParsedManifest } from './manifest.js';
import { repositoryPath, type RepositoryContext } from './repository-context.js';

export interface ManifestHead {
  /** From `Docker-Content-Digest`; undefined when the registry does not send it. */
  digest: string | undefined;
  mediaType: string | undefined;
  size: number | undefined;
}

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  parsed: ParsedManifest;
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** HEAD a manifest: costs no pull on Docker Hub and no pull count on Harbor. Undefined if absent. */
export async function headManifest(ctx: RepositoryContext, reference: string): Promise<ManifestHead | undefined> {
  const response = await ctx.transport.request({
    method: 'HEAD',
    path: repositoryPath(ctx.name, `manifests/${reference}`),
    headers: { accept: MANIFEST_ACCEPT },
    scopes: ctx.scopes,
    expect: [200, 404],
    signal: ctx.signal,
  });
  await discardBody(response.body);
  if (response.status === 404) return undefined;
  const length = headerValue(response, 'content-length');
  return {
    digest: headerValue(response, 'docker-content-digest'),
    mediaType: headerValue(response, 'content-type')?.split(';')[0]?.trim(),
    size: length === undefined ? undefined : Number(length),
  };
}

/**
 * GET a manifest and verify it: by digest, the bytes must hash to it; by tag, to the registry's
 * `Docker-Content-Digest` when sent. The bytes are returned untouched.
 */
export async function getManifest(ctx: RepositoryContext, reference: string): Promise<FetchedManifest> {
  const response = await ctx.transport.request({
    method: 'GET',
    path: repositoryPath(ctx.name, `manifests/${reference}`),
    headers: { accept: MANIFEST_ACCEPT },
    scopes: ctx.scopes,
    expect: [200],
    signal: ctx.signal,
  });
  const bytes = await readBodyLimited(response.body, MANIFEST_SIZE_LIMIT, `manifest ${ctx.name}:${reference}`, 'MANIFEST_INVALID');
  const digest = sha256Digest(bytes);
  const expected = reference.includes(':') ? reference : headerValue(response, 'docker-content-digest');
  if (expected && expected.startsWith('sha256:') && expected !== digest) {
    throw new ContentError('DIGEST_MISMATCH', `manifest ${ctx.transport.registry}/${ctx.name}@${expected}: received bytes hash to ${digest}`);
  }
  const contentType = headerValue(response, 'content-type');
  const parsed = parseManifest(bytes, contentType);
  return { bytes, digest, mediaType: parsed.mediaType, parsed };
}

/** PUT manifest bytes as they are; `Content-Type` must equal the body's media type. */
export async function putManifest(ctx: RepositoryContext, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
  const response = await ctx.transport.request({
    method: 'PUT',
    path: repositoryPath(ctx.name, `manifests/${reference}`),
    headers: { 'content-type': mediaType },
    body: bytes,
    scopes: ctx.scopes,
    expect: [201, 200],
    signal: ctx.signal,
  });
  await discardBody(response.body);
  const digest = sha256Digest(bytes);
  const echoed = headerValue(response, 'docker-content-digest');
  if (echoed && echoed !== digest) {
    throw new ContentError('DIGEST_MISMATCH', `registry stored manifest ${ctx.name}:${reference} as ${echoed}, expected ${digest}`);
  }
  return digest;
}
