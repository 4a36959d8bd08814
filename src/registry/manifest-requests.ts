import { ContentError, HttpError, PictureBookError } from '../errors/index.js';
import { discardBody, headerValue, readBodyLimited, type TransportResponse } from '../transport/index.js';
import { checkedDigest, digestOf, quoted, verifyBytes } from './content-digest.js';
import { MANIFEST_ACCEPT, MANIFEST_SIZE_LIMIT } from './media-types.js';
import { parseManifest, type ParsedManifest } from './parse-manifest.js';
import { readOnlyError } from './read-only.js';
import { manifestPath, send, type RepositoryContext } from './repository-context.js';

export interface ManifestHead {
  /** From `Docker-Content-Digest` (checked against the digest grammar); undefined when the registry does not send it. */
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
  return digestOf(bytes, 'sha256');
}

const isDigestReference = (reference: string): boolean => reference.includes(':');

/** `Docker-Content-Digest`, checked before anything uses it (it names what we fetch next). */
function contentDigestHeader(ctx: RepositoryContext, response: TransportResponse, reference: string): string | undefined {
  const value = headerValue(response, 'docker-content-digest');
  return value === undefined
    ? undefined
    : checkedDigest(value, `${ctx.transport.registry}/${ctx.name}:${reference}: Docker-Content-Digest header`);
}

/** HEAD a manifest: costs no pull on Docker Hub and no pull count on Harbor. Undefined if absent. */
export async function headManifest(ctx: RepositoryContext, reference: string): Promise<ManifestHead | undefined> {
  const response = await send(ctx, {
    method: 'HEAD',
    path: manifestPath(ctx.name, reference),
    headers: { accept: MANIFEST_ACCEPT },
    expect: [200, 404],
  });
  await discardBody(response.body);
  if (response.status === 404) return undefined;
  const length = headerValue(response, 'content-length');
  return {
    digest: contentDigestHeader(ctx, response, reference),
    mediaType: headerValue(response, 'content-type')?.split(';')[0]?.trim(),
    size: length === undefined ? undefined : Number(length),
  };
}

/**
 * GET a manifest and verify it with the algorithm of the digest it must match: by digest, the
 * digest asked for; by tag, the registry's `Docker-Content-Digest` when sent. A digest we cannot
 * verify (not sha256 or sha512) is refused. The bytes are returned untouched.
 */
export async function getManifest(ctx: RepositoryContext, reference: string): Promise<FetchedManifest> {
  const where = `manifest ${ctx.transport.registry}/${ctx.name}${isDigestReference(reference) ? '@' : ':'}${reference}`;
  const byDigest = isDigestReference(reference) ? checkedDigest(reference, where) : undefined;
  const response = await send(ctx, {
    method: 'GET',
    path: manifestPath(ctx.name, reference),
    headers: { accept: MANIFEST_ACCEPT },
    expect: [200],
  });
  const bytes = await readBodyLimited(response.body, MANIFEST_SIZE_LIMIT, where, 'MANIFEST_INVALID');
  const expected = byDigest ?? contentDigestHeader(ctx, response, reference);
  if (expected) verifyBytes(bytes, expected, where);
  const contentType = headerValue(response, 'content-type');
  const parsed = parseManifest(bytes, contentType);
  return { bytes, digest: byDigest ?? sha256Digest(bytes), mediaType: parsed.mediaType, parsed };
}

/** What a manifest PUT answered: the digest stored, and `OCI-Subject` when the registry indexed a referrer. */
export interface ManifestPushed {
  digest: string;
  /** Set by a registry with the referrers API when the manifest had a `subject`; absent from one without. */
  ociSubject: string | undefined;
}

/** PUT manifest bytes as they are; `Content-Type` must equal the body's media type. */
export async function putManifest(ctx: RepositoryContext, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
  return (await pushManifest(ctx, reference, bytes, mediaType)).digest;
}

/** putManifest, also telling whether the registry answered with `OCI-Subject`. */
export async function pushManifest(ctx: RepositoryContext, reference: string, bytes: Buffer, mediaType: string): Promise<ManifestPushed> {
  const response = await send(ctx, {
    method: 'PUT',
    path: manifestPath(ctx.name, reference),
    headers: { 'content-type': mediaType },
    body: bytes,
    expect: [201, 200],
  }).catch((error: unknown) => {
    throw readOnlyError(ctx, error) ?? error;
  });
  await discardBody(response.body);
  const digest = sha256Digest(bytes);
  const echoed = headerValue(response, 'docker-content-digest');
  // Pushed by a (verified) sha512 digest, a registry may echo that digest rather than the sha256.
  if (echoed && echoed !== digest && echoed !== reference) {
    throw new ContentError('DIGEST_MISMATCH', `registry stored manifest ${ctx.name}:${reference} as ${quoted(echoed)}, expected ${digest}`);
  }
  return { digest, ociSubject: headerValue(response, 'oci-subject') };
}

/**
 * DELETE a manifest by tag or digest: true when deleted, false when it was not there (404).
 * distribution 2.8 refuses a tag (400 DIGEST_INVALID: only OCI 1.1 registries delete a tag alone)
 * and, by digest, removes every tag of the repository that points at it. A registry that does not
 * allow deletes answers 405 (UNSUPPORTED): said plainly, with what to change.
 */
export async function deleteManifest(ctx: RepositoryContext, reference: string): Promise<boolean> {
  // Token servers grant deletes as their own action (distribution asks for `delete` on DELETE).
  const scopes = [`repository:${ctx.name}:pull,push,delete`];
  const response = await send(ctx, { method: 'DELETE', path: manifestPath(ctx.name, reference), scopes, expect: [202, 200, 404] }).catch(
    (error: unknown) => {
      throw deleteDisabledError(ctx, error) ?? error;
    },
  );
  await discardBody(response.body);
  return response.status !== 404;
}

function deleteDisabledError(ctx: RepositoryContext, error: unknown): PictureBookError | undefined {
  if (!(error instanceof HttpError) || error.status !== 405) return undefined;
  const registry = ctx.transport.registry;
  return new PictureBookError(
    'DELETE_DISABLED',
    `target registry ${registry} does not allow deletes (${error.method} ${ctx.name} answered 405 ${error.registryCode ?? 'Method Not Allowed'}): enable them there (distribution: storage.delete.enabled: true, or REGISTRY_STORAGE_DELETE_ENABLED=true) or turn prune off for this rule`,
    { cause: error },
  );
}
