import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { PictureBookError } from '../errors/index.js';
import { nextLink, PaginationError } from './pagination.js';
import { RegistryClients } from './registry-clients.js';

test('Link rel="next" is resolved against the request URL (relative on distribution 2.8)', () => {
  const base = new URL('http://127.0.0.1:5000/v2/_catalog?n=2');
  assert.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', base)?.toString(), 'http://127.0.0.1:5000/v2/_catalog?last=b&n=2');
  assert.equal(nextLink('<https://other/v2/x/tags/list?last=1>; rel=next', base)?.toString(), 'https://other/v2/x/tags/list?last=1');
  assert.equal(nextLink('</a>; rel="prev"', base), undefined);
  assert.equal(nextLink(undefined, base), undefined);
});

test('a tags page that is not JSON (a proxy error page, say) is a PROTOCOL error naming the registry and page', async (t) => {
  // A malformed reply the real registry never sends: a local server stands in for a broken proxy.
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const clients = new RegistryClients({ endpoint: () => ({ scheme: 'http' }) });
  t.after(async () => {
    await clients.close(); // first: its keep-alive connection would hold server.close()
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  await assert.rejects(clients.repository(host, 'team/app', 'pull').listTags(), (error: unknown) => {
    assert.ok(error instanceof PictureBookError);
    assert.equal(error.code, 'PROTOCOL');
    assert.match(error.message, new RegExp(`^${host}: tags page http://${host}/v2/team/app/tags/list\\S* is not JSON \\(`));
    return true;
  });
});

/** A page server a real registry cannot be: it answers every tags page with `link(url)` as its Link. */
async function pageServer(link: (url: URL) => string | undefined): Promise<{ host: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push(`${url.pathname}${url.search}`);
    const next = link(url);
    res.writeHead(200, { 'content-type': 'application/json', ...(next ? { link: next } : {}) });
    res.end(JSON.stringify({ name: 'team/app', tags: [`t${hits.length}`] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('a Link chain that comes back to a page already read stops with PAGINATION_LOOP naming the registry and the page', async (t) => {
  // Page 1 -> page 2 -> page 1 again.
  const server = await pageServer((url) =>
    url.searchParams.get('last') === 't1' ? '</v2/team/app/tags/list?n=1000>; rel="next"' : '</v2/team/app/tags/list?last=t1>; rel="next"',
  );
  const clients = new RegistryClients({ endpoint: () => ({ scheme: 'http' }) });
  t.after(async () => {
    await clients.close();
    await server.close();
  });
  const pages: string[][] = [];
  await assert.rejects(
    clients.repository(server.host, 'team/app', 'pull').listTags({ onPage: (items) => pages.push([...items]) }),
    (error: unknown) => {
      assert.ok(error instanceof PaginationError);
      assert.equal(error.code, 'PAGINATION_LOOP');
      assert.equal(error.registry, server.host);
      assert.equal(error.page, `http://${server.host}/v2/team/app/tags/list?n=1000`);
      assert.equal(
        error.message,
        `${server.host}: listing tags stopped: Link rel="next" points back to http://${server.host}/v2/team/app/tags/list?n=1000, a page already read`,
      );
      return true;
    },
  );
  assert.deepEqual(server.hits, ['/v2/team/app/tags/list?n=1000', '/v2/team/app/tags/list?last=t1'], 'each page read once, then stopped');
  assert.deepEqual(pages, [['t1'], ['t2']], 'onPage saw each page');
});

test('a Link chain that never ends stops at maxPages with PAGINATION_LIMIT instead of a silently short list', async (t) => {
  const server = await pageServer((url) => `</v2/team/app/tags/list?last=${Number(url.searchParams.get('last') ?? 0) + 1}>; rel="next"`);
  const clients = new RegistryClients({ endpoint: () => ({ scheme: 'http' }) });
  t.after(async () => {
    await clients.close();
    await server.close();
  });
  await assert.rejects(clients.repository(server.host, 'team/app', 'pull').listTags({ maxPages: 3 }), (error: unknown) => {
    assert.ok(error instanceof PaginationError);
    assert.equal(error.code, 'PAGINATION_LIMIT');
    assert.match(
      error.message,
      new RegExp(
        `^${server.host}: listing tags stopped: more than 3 pages \\(next would be http://${server.host}/v2/team/app/tags/list\\?last=3\\)$`,
      ),
    );
    return true;
  });
  assert.equal(server.hits.length, 3);
});

test('pages without a loop are all read, in order, and the page size goes into n', async (t) => {
  const server = await pageServer((url) => {
    const last = Number(url.searchParams.get('last') ?? 0);
    return last < 2 ? `<?n=5&last=${last + 1}>; rel="next"` : undefined;
  });
  const clients = new RegistryClients({ endpoint: () => ({ scheme: 'http' }) });
  t.after(async () => {
    await clients.close();
    await server.close();
  });
  assert.deepEqual(await clients.repository(server.host, 'team/app', 'pull').listTags({ pageSize: 5 }), ['t1', 't2', 't3']);
  assert.deepEqual(server.hits, ['/v2/team/app/tags/list?n=5', '/v2/team/app/tags/list?n=5&last=1', '/v2/team/app/tags/list?n=5&last=2']);
});
