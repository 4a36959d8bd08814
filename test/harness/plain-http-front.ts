import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TestRegistry } from './registry.js';

/** First byte of a TLS record carrying a handshake (a ClientHello opens every TLS connection). */
const TLS_HANDSHAKE = 0x16;

export interface PlainHttpFront {
  readonly host: string;
  /** Connections that opened with a TLS handshake, each reset without an answer. */
  readonly tlsAttempts: number;
  /** Plain (non-TLS) connections passed on to the registry. */
  readonly plainConnections: number;
  close(): Promise<void>;
}

/**
 * A plain-http endpoint in front of a plain-http registry that resets every TLS handshake, as some
 * plain-http servers and proxies do (instead of answering with non-TLS bytes that a client could
 * recognise). Bytes of plain connections pass through both ways untouched.
 */
export async function startPlainHttpFront(upstream: TestRegistry): Promise<PlainHttpFront> {
  if (upstream.tls) throw new Error('the plain-http front only fronts plain-http registries');
  const upstreamPort = Number(new URL(upstream.url).port);
  const sockets = new Set<Socket>();
  let tlsAttempts = 0;
  let plainConnections = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    client.on('error', () => client.destroy());
    client.once('data', (first: Buffer) => {
      if (first[0] === TLS_HANDSHAKE) {
        tlsAttempts++;
        client.resetAndDestroy();
        return;
      }
      plainConnections++;
      const registry = connect(upstreamPort, '127.0.0.1');
      track(registry);
      registry.on('error', () => client.destroy());
      client.on('close', () => registry.destroy());
      registry.on('close', () => client.destroy());
      registry.write(first);
      client.pipe(registry);
      registry.pipe(client);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    get tlsAttempts() {
      return tlsAttempts;
    },
    get plainConnections() {
      return plainConnections;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
