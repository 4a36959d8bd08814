import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { PictureBookError } from '../errors/index.js';
import { nextLink } from './pagination.js';
import { RegistryClients } from './registry-client.js';

test('Link rel="next" is resolved against the request URL (relative on distribution 2.8)', () => {
  const base = new URL('http://127.0.0.1:5000/v2/_catalog?n=2');
  assert.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', base)?.toString(), 'http://127.0.0.1:5000/v2/_catalog?last=b&n=2');
  assert.equal(nextLink('<https://other/v2/x/tags/list?last=1>; rel=next', base)?.toString(), 'https://other/v2/x/tags/list?last=1');
  assert.equal(nextLink('</a>; rel="prev"', base), undefined);
  assert.equal(nextLink(undefined, base), undefined);
});

test('a tags page that is not JSON (a proxy error page, say) is a PROTOCOL error naming the registry and page', async () => {
  // A malformed reply the real registry never sends: a local server stands in for a broken proxy.
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = new RegistryClients({ endpoint: () => ({ scheme: 'http' }) });
  try {
    await assert.rejects(clients.repository(host, 'team/app', 'pull').listTags(), (error: unknown) => {
      assert.ok(error instanceof PictureBookError);
      assert.equal(error.code, 'PROTOCOL');
      assert.match(error.message, new RegExp(`^${host}: tags page http://${host}/v2/team/app/tags/list\\S* is not JSON \\(`));
      return true;
    });
  } finally {
    await clients.close();
    server.close();
  }
});
