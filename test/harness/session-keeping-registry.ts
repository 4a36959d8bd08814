import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { makeTempDir, removeTempDir } from './procs.js';

/**
 * A minimal target registry whose upload sessions survive a request that broke mid-body: it keeps
 * the bytes that arrived and reports them on `GET <upload location>` (204, `Range: 0-<last>`), as
 * the distribution spec allows. Distribution 2.8 cannot be made to do this (it cancels such a
 * session), so this stands in for a registry that can, only to test resuming uploads. Blobs go to
 * files (never memory) and are verified at the closing PUT; manifests are kept as sent.
 */
export interface SessionKeepingRegistry {
  readonly host: string;
  readonly url: string;
  readonly tls: false;
  /** Digests of the blobs committed so far. */
  readonly blobs: ReadonlySet<string>;
  manifest(repository: string, reference: string): Buffer | undefined;
  close(): Promise<void>;
}

interface Upload {
  file: string;
  /** Settles when the bytes of the last request are on disk (a status asked right after a break waits for it). */
  written: Promise<void>;
}

const UPLOAD = /^\/v2\/(.+)\/blobs\/uploads\/([^/?]*)$/;
const BLOB = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/;
const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/]+)$/;

class Keeper implements SessionKeepingRegistry {
  readonly tls = false as const;
  readonly blobs = new Set<string>();
  #manifests = new Map<string, Buffer>();
  #uploads = new Map<string, Upload>();
  #server: Server;
  #dir: string;
  #port = 0;

  constructor(dir: string) {
    this.#dir = dir;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) }] }));
      });
    });
  }

  get host(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  manifest(repository: string, reference: string): Buffer | undefined {
    return this.#manifests.get(`${repository}:${reference}`);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await removeTempDir(this.#dir);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
    const upload = UPLOAD.exec(url.pathname);
    if (upload) return this.#upload(method, upload[1] ?? '', upload[2] ?? '', url, req, res);
    const blob = BLOB.exec(url.pathname);
    if (blob && (method === 'HEAD' || method === 'GET')) {
      if (!this.blobs.has(blob[2] ?? '')) {
        notFound(res, 'BLOB_UNKNOWN');
        return;
      }
      const size = (await stat(this.#blobFile(blob[2] ?? ''))).size;
      res.writeHead(200, { 'content-length': String(size), 'docker-content-digest': blob[2] });
      if (method === 'HEAD') res.end();
      else createReadStream(this.#blobFile(blob[2] ?? '')).pipe(res);
      return;
    }
    const manifest = MANIFEST.exec(url.pathname);
    if (manifest) return this.#manifest(method, manifest[1] ?? '', manifest[2] ?? '', req, res);
    notFound(res, 'UNSUPPORTED');
  }

  async #upload(method: string, repository: string, id: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (method === 'POST' && id === '') {
      req.resume();
      const uuid = randomUUID();
      const file = join(this.#dir, `upload-${uuid}`);
      await writeFile(file, '');
      this.#uploads.set(uuid, { file, written: Promise.resolve() });
      return void res
        .writeHead(202, {
          location: `/v2/${repository}/blobs/uploads/${uuid}`,
          range: '0-0',
          'docker-upload-uuid': uuid,
          'content-length': '0',
        })
        .end();
    }
    const session = this.#uploads.get(id);
    if (!session) {
      notFound(res, 'BLOB_UPLOAD_UNKNOWN');
      return;
    }
    await session.written;
    const location = `/v2/${repository}/blobs/uploads/${id}`;
    if (method === 'GET') return void res.writeHead(204, { location, range: await rangeOf(session.file), 'docker-upload-uuid': id }).end();
    if (method === 'DELETE') {
      this.#uploads.delete(id);
      await rm(session.file, { force: true });
      return void res.writeHead(204).end();
    }
    if (method !== 'PATCH' && method !== 'PUT') {
      notFound(res, 'UNSUPPORTED');
      return;
    }
    // The property under test: whatever arrives is kept, even when the request breaks.
    // Settled only once the file is closed: a write the broken request had under way still lands
    // after the pipeline gives up, and a status read before it reports too few bytes (the resumed
    // blob then fails its digest: seen once in ten runs on a loaded machine).
    const out = createWriteStream(session.file, { flags: 'a' });
    const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
    session.written = pipeline(req, out)
      .catch(() => undefined)
      .then(() => closed);
    await session.written;
    if (req.readableAborted || !req.complete) return void res.destroy();
    if (method === 'PATCH') return void res.writeHead(202, { location, range: await rangeOf(session.file), 'content-length': '0' }).end();
    const digest = url.searchParams.get('digest') ?? '';
    const hash = createHash('sha256');
    await pipeline(createReadStream(session.file), hash);
    if (`sha256:${hash.digest('hex')}` !== digest)
      return void res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }] }));
    await rename(session.file, this.#blobFile(digest));
    this.#uploads.delete(id);
    this.blobs.add(digest);
    res.writeHead(201, { location: `/v2/${repository}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' }).end();
  }

  async #manifest(method: string, repository: string, reference: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      this.#manifests.set(`${repository}:${reference}`, bytes);
      this.#manifests.set(`${repository}:${digest}`, bytes);
      return void res.writeHead(201, { 'docker-content-digest': digest, 'content-length': '0' }).end();
    }
    req.resume();
    const bytes = this.#manifests.get(`${repository}:${reference}`);
    if (!bytes) {
      notFound(res, 'MANIFEST_UNKNOWN');
      return;
    }
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? '';
    res.writeHead(200, { 'content-length': String(bytes.length), 'docker-content-digest': digest, 'content-type': mediaType });
    res.end(method === 'HEAD' ? undefined : bytes);
  }

  #blobFile(digest: string): string {
    return join(this.#dir, `blob-${digest.slice('sha256:'.length)}`);
  }
}

async function rangeOf(file: string): Promise<string> {
  const size = (await stat(file)).size;
  return `0-${Math.max(0, size - 1)}`;
}

function notFound(res: ServerResponse, code: string): void {
  res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] }));
}

export async function startSessionKeepingRegistry(): Promise<SessionKeepingRegistry> {
  const keeper = new Keeper(await makeTempDir('session-keeping-registry'));
  await keeper.listen();
  return keeper;
}
