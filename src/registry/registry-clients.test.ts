import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { discardBody, type Transport } from '../transport/index.js';
import { RegistryClients } from './registry-clients.js';

/**
 * The transport cache of a long-running process: one transport per credential, dropped when idle
 * (measured with an injected clock, no sleeps), never while a request is under way.
 */
let server: Server;
let host: string;
const sockets = new Set<Socket>();

before(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const MINUTE = 60_000;
// A job's own token, as a distribute job brings it: one transport per distinct token.
const job = (token: string) => ({ staticToken: { token }, scheme: 'http' as const });

async function ping(transport: Transport): Promise<void> {
  const response = await transport.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200] });
  await discardBody(response.body);
}

function allSocketsClosed(): Promise<void> {
  return Promise.all(
    [...sockets].map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())))),
  ).then(() => undefined);
}

test('idle transports are dropped and their connections closed; one with a request under way is kept', async () => {
  let now = 0;
  const clients = new RegistryClients({ now: () => now, idleMs: 5 * MINUTE });
  try {
    const first = clients.transport(host, job('job-1'));
    await ping(first);
    assert.ok(clients.openAgents > 0);
    assert.equal(clients.transport(host, job('job-1')), first, 'the same credential shares one transport');

    now = 1 * MINUTE;
    const busy = clients.transport(host, job('job-2'));
    const open = await busy.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200] }); // body not read yet: under way
    assert.equal(busy.inFlight, 1);

    now = 7 * MINUTE;
    clients.transport(host, job('job-3')); // a third one handed out sweeps the idle
    assert.equal(clients.size, 2, 'job-1 (idle 7 min) was dropped, job-2 (busy) kept');
    assert.equal(clients.transport(host, job('job-2')), busy, 'a transport in use is never dropped');
    assert.notEqual(clients.transport(host, job('job-1')), first, 'job-1 gets a new transport');

    await discardBody(open.body);
    assert.equal(busy.inFlight, 0);
    await ping(first); // a dropped transport still works for whoever holds it
    now = 20 * MINUTE;
    clients.transport('127.0.0.1:1', job('other')); // any hand-out sweeps
    assert.equal(clients.size, 1, 'only the one just handed out is left');
    assert.ok(first.release(), 'first is idle and gives its connections back');
    assert.equal(clients.openAgents, 0, 'no transport holds an Agent any more: they are closed');
    await allSocketsClosed();
  } finally {
    await clients.close();
  }
});

test('beyond maxTransports the least recently used idle ones go first; busy ones stay whatever the count', async () => {
  let now = 0;
  const clients = new RegistryClients({ now: () => now, idleMs: 60 * MINUTE, maxTransports: 3 });
  try {
    const t1 = clients.transport(host, job('a'));
    now = 1;
    const t2 = clients.transport(host, job('b'));
    now = 2;
    const t3 = clients.transport(host, job('c'));
    now = 3;
    await ping(t1); // a is now the most recently used of the three
    const held = await t2.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200] });
    now = 4;
    clients.transport(host, job('d'));
    assert.equal(clients.size, 3);
    assert.equal(clients.transport(host, job('a')), t1, 'recently used: kept');
    assert.equal(clients.transport(host, job('b')), t2, 'busy: kept');
    assert.notEqual(clients.transport(host, job('c')), t3, 'least recently used and idle: dropped');
    await discardBody(held.body);
  } finally {
    await clients.close();
  }
});
