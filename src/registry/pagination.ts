import { errorMessage, PictureBookError, ProtocolError } from '../errors/index.js';
import { headerValue, readBodyLimited, redactUrl, type Transport } from '../transport/index.js';

/** The `rel="next"` target of a `Link` header, resolved against the URL that sent it. */
export function nextLink(link: string | undefined, base: URL): URL | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match && /rel="?next"?/i.test(match[2] ?? '')) return new URL(match[1] ?? '', base);
  }
  return undefined;
}

/** A page's JSON object; anything else (an HTML error page from a proxy, say) is a protocol error. */
function parsePage(body: Buffer, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(`${what} is not JSON (${errorMessage(error)})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ProtocolError(`${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}

/** Why a listing stopped before its end: a `Link` chain back to a page already read, or too many pages. */
export class PaginationError extends PictureBookError {
  readonly registry: string;
  /** The page URL that would have been read again (loop) or next (limit), redacted. */
  readonly page: string;
  readonly reason: 'loop' | 'limit';

  constructor(registry: string, field: 'tags' | 'repositories', page: string, reason: 'loop' | 'limit', pages: number) {
    const why =
      reason === 'loop'
        ? `Link rel="next" points back to ${page}, a page already read`
        : `more than ${pages} pages (next would be ${page})`;
    super(reason === 'loop' ? 'PAGINATION_LOOP' : 'PAGINATION_LIMIT', `${registry}: listing ${field} stopped: ${why}`);
    this.registry = registry;
    this.page = page;
    this.reason = reason;
  }
}

export interface PageOptions {
  /** Called with each page's items as it arrives (listing progress). */
  onPage?: (items: readonly string[]) => void;
  /** Pages read at most before giving up with a PaginationError (default 10,000). */
  maxPages?: number;
}

/**
 * Follows `Link: <...>; rel="next"` pages (relative on distribution 2.8) and collects one list
 * field of each JSON page. A chain that comes back to a page already read, or that goes on past
 * `maxPages`, is a PaginationError: a broken server or proxy must not keep us listing forever, nor
 * hand back a silently truncated list.
 */
export async function collectPages(
  transport: Transport,
  firstPath: string,
  field: 'tags' | 'repositories',
  scopes: readonly string[],
  signal?: AbortSignal,
  options: PageOptions = {},
): Promise<string[]> {
  const maxPages = options.maxPages ?? 10_000;
  const out: string[] = [];
  const seen = new Set<string>();
  let path: string | URL | undefined = firstPath;
  for (let page = 0; path; page++) {
    if (page >= maxPages) throw new PaginationError(transport.registry, field, redactUrl(path), 'limit', maxPages);
    const response = await transport.request({ method: 'GET', path, scopes, expect: [200], signal });
    seen.add(response.url.href);
    const what = `${transport.registry}: ${field} page ${redactUrl(response.url)}`;
    const body = await readBodyLimited(response.body, 16 * 1024 * 1024, what);
    const items = parsePage(body, what)[field];
    const names = Array.isArray(items) ? items.filter((t): t is string => typeof t === 'string') : [];
    out.push(...names);
    options.onPage?.(names);
    path = nextLink(headerValue(response, 'link'), response.url);
    if (path && seen.has(path.href)) throw new PaginationError(transport.registry, field, redactUrl(path), 'loop', page + 1);
  }
  return out;
}
