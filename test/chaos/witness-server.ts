import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** Another host: records everything it receives; serves the bytes a test hands it. */
export interface Witness {
  readonly port: number;
  readonly received: Received[];
  serve(path: string, body: Buffer): void;
  close(): Promise<void>;
}

export async function startWitness(): Promise<Witness> {
  const received: Received[] = [];
  const routes = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    const body = routes.get((req.url ?? '').split('?')[0] ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream', 'content-length': String(body?.length ?? 0) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    serve: (path, body) => void routes.set(path, body),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
