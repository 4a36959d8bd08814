import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './fault-proxy.js';

/** Writes one answer; may misbehave on purpose (wrong length, cut connection, crafted headers). */
export type FakeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/**
 * A tiny hand-written registry for content and answers the real one cannot be made to serve
 * (crafted indexes, lying headers, bodies that disagree with their descriptors). Only what a test
 * routes exists: `/v2/` answers 200, a routed GET also answers HEAD (headers only), and anything
 * else is 404 with a distribution error body. Never a stand-in for the real registry.
 */
export interface HostileRegistry {
  readonly host: string;
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Serves `answer` (or runs `handler`) for `GET path`, and its headers for `HEAD path`. */
  route(path: string, answer: FakeAnswer | FakeHandler): void;
  /**
   * Serves manifest bytes at `/v2/<repository>/manifests/<reference>` (a tag is also served by its
   * sha256 digest) with honest headers unless overridden.
   */
  manifest(repository: string, reference: string, bytes: Buffer, mediaType: string, headers?: Record<string, string>): void;
  /** Serves blob bytes at `/v2/<repository>/blobs/<digest>`; returns their sha256 digest. */
  blob(repository: string, bytes: Buffer, headers?: Record<string, string>): string;
  close(): Promise<void>;
}

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

class Fake implements HostileRegistry {
  readonly requests: RecordedRequest[] = [];
  #routes = new Map<string, FakeAnswer | FakeHandler>();
  #server: Server;
  #port = 0;

  constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  get host(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  route(path: string, answer: FakeAnswer | FakeHandler): void {
    this.#routes.set(path, answer);
  }

  manifest(repository: string, reference: string, bytes: Buffer, mediaType: string, headers: Record<string, string> = {}): void {
    const answer = { body: bytes, headers: { 'content-type': mediaType, 'docker-content-digest': sha256(bytes), ...headers } };
    this.route(`/v2/${repository}/manifests/${reference}`, answer);
    if (!reference.includes(':')) this.route(`/v2/${repository}/manifests/${sha256(bytes)}`, answer);
  }

  blob(repository: string, bytes: Buffer, headers: Record<string, string> = {}): string {
    const digest = sha256(bytes);
    this.route(`/v2/${repository}/blobs/${digest}`, {
      body: bytes,
      headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': digest, ...headers },
    });
    return digest;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: 0,
      headers: req.headers,
      bytesIn: 0,
      bytesOut: 0,
    };
    this.requests.push(record);
    res.once('finish', () => (record.status = res.statusCode));
    req.resume();
    const path = record.path.split('?')[0] ?? '';
    if (path === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const routed = record.method === 'GET' || record.method === 'HEAD' ? this.#routes.get(path) : undefined;
    if (typeof routed === 'function') return routed(req, res);
    if (routed) {
      const body = routed.body === undefined ? Buffer.alloc(0) : Buffer.from(routed.body);
      res.writeHead(routed.status ?? 200, { 'content-length': String(body.length), ...routed.headers });
      return void res.end(record.method === 'HEAD' ? undefined : body);
    }
    const code = path.includes('/blobs/') ? 'BLOB_UNKNOWN' : path.includes('/manifests/') ? 'MANIFEST_UNKNOWN' : 'UNSUPPORTED';
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace('_', ' ') }] }));
  }
}

export async function startHostileRegistry(): Promise<HostileRegistry> {
  const fake = new Fake();
  await fake.listen();
  return fake;
}
