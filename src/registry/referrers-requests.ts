import { ContentError, HttpError } from '../errors/index.js';
import { headerValue, readBodyLimited, type TransportResponse } from '../transport/index.js';
import { checkedDigest } from './content-digest.js';
import { isIndexMediaType, MANIFEST_SIZE_LIMIT, MediaType } from './media-types.js';
import { nextLink } from './pagination.js';
import { parseManifest, type Descriptor } from './parse-manifest.js';
import { send, type RepositoryContext } from './repository-context.js';
import { isRepositoryPath } from '../reference/index.js';

/** One referrer as a referrers listing names it: the checked descriptor and the entry as it came. */
export interface ReferrerEntry {
  descriptor: Descriptor;
  artifactType: string | undefined;
  /** The listing's JSON object for it (annotations and all), written as is into a fallback index. */
  raw: Record<string, unknown>;
}

/** What `GET /v2/<name>/referrers/<digest>` said: the list, or that the registry has no such API. */
export type ReferrersListing = { supported: true; referrers: ReferrerEntry[]; filtersApplied: readonly string[] } | { supported: false };

/** Pages read at most: a Link chain going on longer is a broken server, not a big image. */
const MAX_PAGES = 100;

/** The referrers of an index's bytes (a listing page or a fallback-tag index), each entry checked. */
export function referrerEntries(bytes: Buffer, contentType: string | undefined, where: string): ReferrerEntry[] {
  const parsed = parseManifest(bytes, contentType);
  if (parsed.kind !== 'index') throw new ContentError('MANIFEST_INVALID', `${where} is not an image index`);
  const raw = (JSON.parse(bytes.toString('utf8')) as { manifests: Array<Record<string, unknown>> }).manifests;
  return parsed.manifests.map((descriptor, i) => {
    const entry = raw[i] ?? {};
    return { descriptor, artifactType: typeof entry.artifactType === 'string' ? entry.artifactType : undefined, raw: entry };
  });
}

function referrersPath(name: string, digest: string, artifactType: string | undefined): string {
  if (!isRepositoryPath(name)) throw new ContentError('MANIFEST_INVALID', `${name} is not a repository path`);
  checkedDigest(digest, `referrers of ${name}@${digest}`);
  return `/v2/${name}/referrers/${digest}${artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : ''}`;
}

/** JSON with a `manifests` list: what any answer of the referrers API is. */
function looksLikeIndex(bytes: Buffer): boolean {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown } | null;
    return typeof doc === 'object' && doc !== null && Array.isArray(doc.manifests);
  } catch {
    return false;
  }
}

/** A 404 that is not NAME_UNKNOWN, or an answer that is not an index: the spec's "no referrers API". */
function isIndexAnswer(response: TransportResponse): boolean {
  const type = headerValue(response, 'content-type')?.split(';')[0]?.trim() ?? '';
  return isIndexMediaType(type) || type === 'application/json';
}

/**
 * Lists the referrers of `digest` through the OCI 1.1 referrers API, following `Link` pages. With
 * `artifactType` the registry may filter; `filtersApplied` (from `OCI-Filters-Applied`) says whether
 * it did, so the caller filters itself when not. `supported: false` means the caller must read the
 * fallback tag instead. A repository the registry does not know (404 NAME_UNKNOWN) has no referrers.
 */
export async function listReferrers(ctx: RepositoryContext, digest: string, artifactType?: string): Promise<ReferrersListing> {
  const referrers: ReferrerEntry[] = [];
  let filtersApplied: string[] | undefined;
  const seen = new Set<string>();
  let path: string | URL | undefined = referrersPath(ctx.name, digest, artifactType);
  for (let page = 0; path; page++) {
    if (page >= MAX_PAGES) throw new ContentError('MANIFEST_INVALID', `referrers of ${ctx.name}@${digest}: more than ${MAX_PAGES} pages`);
    let response: TransportResponse;
    try {
      response = await send(ctx, { method: 'GET', path, headers: { accept: MediaType.ociIndex }, expect: [200] });
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 404 || page > 0) throw error;
      if (error.registryCode === 'NAME_UNKNOWN') return { supported: true, referrers: [], filtersApplied: [] };
      return { supported: false };
    }
    seen.add(response.url.href);
    const where = `referrers of ${ctx.transport.registry}/${ctx.name}@${digest}`;
    const bytes = await readBodyLimited(response.body, MANIFEST_SIZE_LIMIT, where, 'MANIFEST_INVALID');
    if (!isIndexAnswer(response)) {
      if (page === 0) return { supported: false };
      throw new ContentError('MANIFEST_INVALID', `${where}: a page that is not an image index`);
    }
    if (!looksLikeIndex(bytes)) {
      if (page === 0) return { supported: false };
      throw new ContentError('MANIFEST_INVALID', `${where}: a page that is not an image index`);
    }
    // An index it is: a bad descriptor in it is an error, not a sign that the API is missing.
    referrers.push(...referrerEntries(bytes, MediaType.ociIndex, where));
    const applied = (headerValue(response, 'oci-filters-applied') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    filtersApplied = filtersApplied === undefined ? applied : filtersApplied.filter((f) => applied.includes(f));
    path = nextLink(headerValue(response, 'link'), response.url);
    if (path && seen.has(path.href))
      throw new ContentError('MANIFEST_INVALID', `${where}: Link rel="next" points back to a page already read`);
  }
  return { supported: true, referrers, filtersApplied: filtersApplied ?? [] };
}
