import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { Credentials } from '../auth/credentials.js';
import { AgentPool } from './agent-pool.js';
import { discardBody } from './read-body.js';
import { Transport } from './transport.js';

/**
 * Where a transport may send requests and credentials when the registry misbehaves or is away: a
 * token realm that is not a web URL, and the https-then-http probe of a loopback registry that is
 * down when it goes out (found by the chaos suite's registry kills).
 */
const agents = new AgentPool();
after(() => agents.close());

/** Waits until `check` holds (a deadline, not a sleep). */
async function until(check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !check();) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a loopback plain-http registry that is down when the scheme probe goes out is still spoken to in plain http once it is back', async (t) => {
  // A port nobody listens on yet: the registry is down (restarting) when the first request comes.
  const parked = createServer();
  await new Promise<void>((resolve) => parked.listen(0, '127.0.0.1', resolve));
  const port = (parked.address() as AddressInfo).port;
  await new Promise<void>((resolve) => parked.close(() => resolve()));
  const registry = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        registry.closeAllConnections();
        registry.close(() => resolve());
      }),
  );
  const retries: string[] = [];
  const transport = new Transport(`127.0.0.1:${port}`, { retry: { baseDelayMs: 100, maxDelayMs: 200, maxAttempts: 8 } }, { agents });
  const answer = transport.request({ method: 'GET', path: '/v2/x', scopes: [], expect: [200], onRetry: (n) => retries.push(n.url) });
  // It comes back (plain http, as before) once the first attempt has been refused.
  await until(() => retries.length > 0);
  await new Promise<void>((resolve) => registry.listen(port, '127.0.0.1', resolve));
  const response = await answer;
  await discardBody(response.body);
  assert.equal(response.status, 200);
  assert.equal(response.url.protocol, 'http:', 'settled on plain http, not failed as a TLS error');
});

test('a token realm that is not http or https is refused by name, with or without credentials, and nothing is sent', async () => {
  const { fetchToken } = await import('./token-fetcher.js');
  for (const [realm, shown] of [
    ['ftp://127.0.0.1:2121/token', 'ftp://127.0.0.1:2121/token'],
    ['file:///etc/passwd', 'file:///etc/passwd'],
    ['gopher://h:70/_x', 'gopher://h:70/_x'],
  ] as const) {
    for (const credentials of [new Credentials('u', 'p'), undefined]) {
      let requests = 0;
      const context = {
        registry: '127.0.0.1:5000',
        registryUrl: () => new URL('http://127.0.0.1:5000'),
        dispatcherFor: () =>
          ({
            request: async () => {
              requests++;
              throw Object.assign(new Error('stop'), { code: 'EPERM' });
            },
          }) as never,
        policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxTotalMs: 1 },
        allowInsecureRealm: false,
      };
      await assert.rejects(fetchToken(context, { realm, service: 'svc' }, ['repository:a:pull'], credentials), (error: Error) => {
        assert.equal(error.name, 'AuthError');
        assert.equal(error.message, `127.0.0.1:5000: token realm ${shown} is not an http or https URL: nothing was sent to it`);
        return true;
      });
      assert.equal(requests, 0, `${realm}: no request`);
    }
  }
});
