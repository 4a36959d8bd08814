import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import { writeSelfSignedCertificate } from '../../src/transport/tls-test-kit.js';
import { pushImage, type BuiltImage } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/*
 * A TLS failure is not transient: a blob whose GET the source redirects to storage with a
 * certificate nobody trusts (a self-signed one) fails the image at the first attempt with code
 * TLS, instead of being fetched again as if the connection had broken.
 */

let built: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  built = await pushImage(ociImage, source, 'tls/app:v1');
});
let dir: string;
let storage: Server;
before(async () => {
  dir = await makeTempDir('copy-tls-storage');
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  await writeSelfSignedCertificate(cert, key, { commonName: '127.0.0.1', altName: 'IP:127.0.0.1' });
  // Never answered: the handshake fails before any request.
  storage = createServer({ cert: await readFile(cert), key: await readFile(key) }, (_req, res) => res.end());
  await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await new Promise<void>((resolve) => storage.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

test('a blob redirected to storage whose certificate is not trusted fails at once with TLS, not retried', async () => {
  const layer = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  const location = `https://127.0.0.1:${(storage.address() as AddressInfo).port}/blobs/${layer.digest}`;
  const blobGets = new RegExp(`/blobs/${layer.digest}$`);
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: blobGets,
    times: 100,
    action: { kind: 'status', status: 307, headers: { location } },
  });
  const events: CopyEvent[] = [];
  const engine = new CopyEngine();
  try {
    await assert.rejects(
      engine.copy(
        {
          source: `${pair.sourceProxy.host}/tls/app:v1`,
          target: `${pair.targetProxy.host}/tls/app:v1`,
          sourceEndpoint: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
          targetEndpoint: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
        },
        { onEvent: (e) => events.push(e) },
      ),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'TLS', error.message);
        return true;
      },
    );
  } finally {
    pair.sourceProxy.clearFaults();
    await engine.close();
  }
  const gets = pair.sourceProxy.requests.filter((r) => r.method === 'GET' && blobGets.test(r.path));
  assert.equal(gets.length, 1, 'one GET of the blob: no second attempt');
  assert.deepEqual(
    events.filter((e) => e.type === 'retry'),
    [],
    'no retry event',
  );
  assert.equal(
    pair.targetProxy.requests.some((r) => r.method === 'PUT' && r.path.includes('/manifests/')),
    false,
    'nothing tagged',
  );
});
