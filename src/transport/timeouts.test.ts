import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { TimeoutError } from '../errors/index.js';
import { AgentPool } from './agent-pool.js';
import { toNetworkError } from './http-send.js';
import { ThroughputWatch } from './throughput-watch.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';
import { Transport } from './transport.js';

// The intervals are ended by hand (endInterval); the timer's hour never comes during a test.
const HOUR = 3_600_000;
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const stalled = (bytes: number) => new Error(`stalled at ${bytes}`);

/** The error the watch was destroyed with so far (a function, so each read is fresh). */
function errorOf(watch: ThroughputWatch): () => string | undefined {
  let seen: string | undefined;
  watch.on('error', (error: Error) => (seen = error.message));
  return () => seen;
}

test('a download is stalled when its producer is slow, not while its reader holds it back', async () => {
  const starved = new ThroughputWatch({ minBytes: 1000, intervalMs: HOUR, blame: 'producer' }, stalled);
  const starvedSeen = errorOf(starved);
  starved.on('data', () => undefined); // an eager reader
  starved.write(Buffer.alloc(10));
  await flush();
  starved.endInterval();
  await flush();
  assert.equal(starvedSeen(), 'stalled at 10');

  const heldBack = new ThroughputWatch({ minBytes: 1000, intervalMs: HOUR, blame: 'producer' }, stalled);
  const heldSeen = errorOf(heldBack);
  heldBack.write(Buffer.alloc(64 * 1024)); // nobody reads: the buffer is full
  await flush();
  for (let i = 0; i < 3; i++) heldBack.endInterval();
  await flush();
  assert.equal(heldSeen(), undefined, 'a slow reader is not the producer’s fault');
  heldBack.destroy();
});

test('an upload is stalled when the registry does not take the bytes, not while its source is slow', async () => {
  const blocked = new ThroughputWatch({ minBytes: 1000, intervalMs: HOUR, blame: 'consumer' }, stalled);
  const blockedSeen = errorOf(blocked);
  blocked.write(Buffer.alloc(64 * 1024)); // the first interval moved plenty, then nothing is taken
  await flush();
  blocked.endInterval();
  await flush();
  assert.equal(blockedSeen(), undefined, 'enough bytes went through in the first interval');
  blocked.endInterval();
  await flush();
  assert.equal(blockedSeen(), 'stalled at 0');

  const starved = new ThroughputWatch({ minBytes: 1000, intervalMs: HOUR, blame: 'consumer' }, stalled);
  const starvedSeen = errorOf(starved);
  starved.on('data', () => undefined);
  starved.write(Buffer.alloc(10));
  await flush();
  for (let i = 0; i < 3; i++) starved.endInterval();
  await flush();
  assert.equal(starvedSeen(), undefined, 'a slow source is not the registry’s fault');
  starved.destroy();
});

test("undici's connect, headers and body timeouts become TimeoutErrors naming the setting", () => {
  const cases = [
    ['UND_ERR_CONNECT_TIMEOUT', /could not connect within 10 s \(timeouts\.connectSeconds; copy: --connect-timeout\)$/],
    ['UND_ERR_HEADERS_TIMEOUT', /no answer within 120 s \(timeouts\.responseSeconds; copy: --response-timeout\)$/],
    ['UND_ERR_BODY_TIMEOUT', /the answer stopped arriving \(timeouts\.readSeconds; copy: --read-timeout\)$/],
  ] as const;
  for (const [code, message] of cases) {
    const error = toNetworkError('GET', 'https://r.example/v2/', Object.assign(new Error('x'), { code }), DEFAULT_TIMEOUTS);
    assert.ok(error instanceof TimeoutError, code);
    assert.equal(error.code, 'TIMEOUT');
    assert.match(error.message, message);
  }
});

let silent: ReturnType<typeof createServer>;
let silentHost: string;
const sockets = new Set<Socket>();
before(async () => {
  // Accepts connections and never answers.
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentHost = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

test('a server that accepts the connection and never answers ends in a TimeoutError within the response timeout', async () => {
  const agents = new AgentPool();
  const responseMs = 500;
  const transport = new Transport(
    silentHost,
    { scheme: 'http', retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } },
    { agents, timeouts: { ...DEFAULT_TIMEOUTS, responseMs } },
  );
  const started = Date.now();
  try {
    await assert.rejects(
      transport.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200] }),
      (error: Error & { code?: string }) => {
        assert.ok(error instanceof TimeoutError);
        assert.match(error.message, new RegExp(`^GET http://${silentHost.replace(/\./g, '\\.')}/v2/: no answer within 0\\.5 s`));
        return true;
      },
    );
    assert.ok(Date.now() - started < 2 * responseMs + 2_000, 'two attempts, each bounded');
  } finally {
    await agents.close();
  }
});
