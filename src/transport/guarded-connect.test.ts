import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { AgentPool } from './agent-pool.js';
import type { AddressGuard } from './guarded-connect.js';
import { discardBody } from './read-body.js';
import { Transport } from './transport.js';

/** Two loopback servers: the registry on 127.0.0.1 redirects blobs to "storage" on 127.0.0.2. */
const seen = { registry: 0, storage: 0 };
let registryPort = 0;
let storagePort = 0;
const servers: Server[] = [];

function listen(host: string, handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

before(async () => {
  storagePort = await listen('127.0.0.2', (_req, res) => {
    seen.storage++;
    res.end('blob');
  });
  registryPort = await listen('127.0.0.1', (_req, res) => {
    seen.registry++;
    res.writeHead(307, { location: `http://127.0.0.2:${storagePort}/blob` }).end();
  });
});
after(() =>
  Promise.all(
    servers.map(
      (s) =>
        new Promise((resolve) => {
          s.closeAllConnections();
          s.close(resolve);
        }),
    ),
  ),
);

const refusing = (address: string): AddressGuard => ({ refuse: (a) => (a === address ? 'is refused by the test' : undefined) });
const agents = new AgentPool();
after(() => agents.close());
const options = { scheme: 'http' as const, insecure: true, retry: { maxAttempts: 1 } };

test('a guarded endpoint does not follow a redirect to a refused IP literal (Node connects to literals without a lookup)', async () => {
  const unguarded = new Transport(`127.0.0.1:${registryPort}`, options, { agents });
  await discardBody((await unguarded.request({ method: 'GET', path: '/v2/a/blobs/x', scopes: [], expect: [200] })).body);
  assert.deepEqual(seen, { registry: 1, storage: 1 }, 'control: the redirect is followed without a guard');

  const guarded = new Transport(`127.0.0.1:${registryPort}`, { ...options, addressGuard: refusing('127.0.0.2') }, { agents });
  await assert.rejects(
    guarded.request({ method: 'GET', path: '/v2/a/blobs/x', scopes: [], expect: [200] }),
    (e: unknown) => (e as Error).name === 'NetworkError' && (e as Error).message.includes('127.0.0.2 is refused by the test'),
  );
  assert.deepEqual(seen, { registry: 2, storage: 1 }, 'storage was not contacted');
});

test('a name is checked on every address it resolves to, at connection time', async () => {
  const guarded = new Transport(`localhost:${registryPort}`, { ...options, addressGuard: refusing('127.0.0.1') }, { agents });
  await assert.rejects(guarded.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200] }), (e: unknown) =>
    (e as Error).message.includes('localhost (127.0.0.1) is refused by the test'),
  );
  assert.equal(seen.registry, 2, 'the registry was not contacted');
});
