import { PictureBookError } from '../errors/index.js';
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
    throw new PictureBookError('PROTOCOL', `${what} is not JSON (${(error as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new PictureBookError('PROTOCOL', `${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}

/**
 * Follows `Link: <...>; rel="next"` pages (relative on distribution 2.8) and collects one list
 * field of each JSON page. Bounded so a looping server cannot keep us forever.
 */
export async function collectPages(
  transport: Transport,
  firstPath: string,
  field: 'tags' | 'repositories',
  scopes: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const out: string[] = [];
  let path: string | URL | undefined = firstPath;
  for (let page = 0; path && page < 10_000; page++) {
    const response = await transport.request({ method: 'GET', path, scopes, expect: [200], signal });
    const what = `${transport.registry}: ${field} page ${redactUrl(response.url)}`;
    const body = await readBodyLimited(response.body, 16 * 1024 * 1024, what);
    const items = parsePage(body, what)[field];
    if (Array.isArray(items)) out.push(...items.filter((t): t is string => typeof t === 'string'));
    path = nextLink(headerValue(response, 'link'), response.url);
  }
  return out;
}
