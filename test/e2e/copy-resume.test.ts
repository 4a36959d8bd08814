import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import { RegistryClients } from '../../src/registry/index.js';
import { appendUpload, completeUpload, startUpload, uploadStatus } from '../../src/registry/uploads.js';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  startSessionKeepingRegistry,
  type BuiltImage,
  type FaultProxy,
  type ImageSpec,
  type SessionKeepingRegistry,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { dockerImage } from './fixtures.js';

/*
 * Large blobs survive broken connections without starting over: a source read resumes with a
 * Range request, an upload goes on in its session where the registry keeps it. Measured at the
 * fault proxies: a 1 GiB layer with three drops moves at most 1.2 GiB.
 */

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const large: ImageSpec = {
  kind: 'image',
  format: 'oci',
  layers: [{ seed: 'resume-1g', size: GiB }],
  platform: { os: 'linux', architecture: 'amd64' },
};

let source: TestRegistry;
let target: TestRegistry;
let sourceProxy: FaultProxy;
let targetProxy: FaultProxy;
let keeper: SessionKeepingRegistry;
let keeperProxy: FaultProxy;
let small: BuiltImage;
let big: BuiltImage;
let layer: { digest: string; size: number };

before(async () => {
  [source, target, keeper] = await Promise.all([startRegistry(), startRegistry(), startSessionKeepingRegistry()]);
  [sourceProxy, targetProxy, keeperProxy] = await Promise.all([startFaultProxy(source), startFaultProxy(target), startFaultProxy(keeper)]);
  small = await pushImage(dockerImage, source, 'resume/small:v1');
  big = await pushImage(large, source, 'resume/big:v1');
  layer = big.blobs.reduce((a, b) => (b.size > a.size ? b : a));
});

after(async () => {
  const started = startedSoFar({ sourceProxy, targetProxy, keeperProxy, source, target, keeper });
  await Promise.all([started.sourceProxy?.close(), started.targetProxy?.close(), started.keeperProxy?.close()]);
  await Promise.all([started.source?.stop(), started.target?.stop(), started.keeper?.close()]);
});

async function copy(from: string, to: string): Promise<{ digest: string; events: CopyEvent[] }> {
  const engine = new CopyEngine();
  const events: CopyEvent[] = [];
  try {
    const retry = { baseDelayMs: 20, maxDelayMs: 200 };
    const result = await engine.copy(
      { source: from, target: to, sourceEndpoint: { retry }, targetEndpoint: { retry } },
      { onEvent: (e) => events.push(e) },
    );
    return { digest: result.digest, events };
  } finally {
    await engine.close();
  }
}

const resumes = (events: CopyEvent[]) => events.flatMap((e) => (e.type === 'blob-resumed' ? [[e.side, e.offset] as const] : []));
const bytes = (proxy: FaultProxy, method: string, pattern: RegExp, field: 'bytesIn' | 'bytesOut') =>
  proxy.requests.filter((r) => r.method === method && pattern.test(r.path)).reduce((sum, r) => sum + r[field], 0);

test('distribution 2.8 serves PATCH uploads at the offsets it reports, and Content-Range, then a PUT ?digest= closes them', async () => {
  const bytes = Buffer.alloc(3 * MiB + 5, 9);
  const { createHash } = await import('node:crypto');
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const clients = new RegistryClients();
  try {
    // The session-level requests a RegistryUpload is made of (registry/uploads.ts), one by one.
    const ctx = { transport: clients.transport(target.host), name: 'resume/patch', scopes: ['repository:resume/patch:pull,push'] };
    const opened = await startUpload(ctx);
    const afterFirst = await appendUpload(ctx, opened, 0, 2 * MiB, Readable.from([bytes.subarray(0, 2 * MiB)]));
    const status = await uploadStatus(ctx, afterFirst);
    assert.equal(status?.offset, 2 * MiB, 'the registry reports the bytes it holds');
    const afterRest = await appendUpload(ctx, status.session, 2 * MiB, bytes.length, Readable.from([bytes.subarray(2 * MiB)]));
    await completeUpload(ctx, afterRest, digest);
    assert.equal(await clients.repository(target.host, 'resume/patch', 'pull').headBlob(digest), bytes.length);
  } finally {
    await clients.close();
  }
});

test('distribution 2.8 drops an upload session whose request broke mid-body: the blob starts over in a new session', async () => {
  const base = small.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  const put = new RegExp(`/blobs/uploads/.*digest=sha256(%3A|:)${base.digest.slice(7)}`);
  targetProxy.addFault({ method: 'PUT', pathPattern: put, times: 1, action: { kind: 'cut-request', afterBytes: MiB } });
  targetProxy.clearRequests();
  const { digest, events } = await copy(`${source.host}/resume/small:v1`, `${targetProxy.host}/resume/dropped:v1`);
  assert.equal(digest, small.digest);
  const status = targetProxy.requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/uploads/'));
  assert.deepEqual(
    status.map((r) => r.status),
    [404],
    'asked where the session stands: gone (BLOB_UPLOAD_INVALID)',
  );
  assert.deepEqual(resumes(events), [], 'nothing to resume on this registry');
  assert.equal(targetProxy.count('PUT', put), 2, 'the blob was sent again whole');
  assert.equal((await skopeoInspectRaw(`${target.host}/resume/dropped:v1`, target)).digest, small.digest);
});

test(
  'a 1 GiB layer whose source connection drops three times is resumed with Range: at most 1.2 GiB moved each way',
  { timeout: 600_000 },
  async (t) => {
    const blobGet = new RegExp(`/blobs/${layer.digest}`);
    for (let i = 0; i < 3; i++)
      sourceProxy.addFault({ method: 'GET', pathPattern: blobGet, times: 1, action: { kind: 'truncate', afterBytes: 300 * MiB } });
    sourceProxy.clearRequests();
    targetProxy.clearRequests();
    const { digest, events } = await copy(`${sourceProxy.host}/resume/big:v1`, `${targetProxy.host}/resume/big:v1`);
    assert.equal(digest, big.digest);
    assert.deepEqual(resumes(events), [
      ['source', 300 * MiB],
      ['source', 600 * MiB],
      ['source', 900 * MiB],
    ]);
    const read = bytes(sourceProxy, 'GET', blobGet, 'bytesOut');
    const sent = bytes(targetProxy, 'PUT', /\/blobs\/uploads\//, 'bytesIn') + bytes(targetProxy, 'PATCH', /\/blobs\/uploads\//, 'bytesIn');
    t.diagnostic(
      `1 GiB layer, 3 drops: read ${(read / MiB).toFixed(0)} MiB from the source, sent ${(sent / MiB).toFixed(0)} MiB to the target`,
    );
    assert.ok(read <= 1.2 * GiB, `read ${(read / MiB).toFixed(0)} MiB from the source`);
    assert.ok(sent <= 1.2 * GiB, `sent ${(sent / MiB).toFixed(0)} MiB to the target`);
    assert.equal(read, layer.size, 'each byte read once');
    assert.equal(
      (await fetch(`${target.url}/v2/resume/big/blobs/${layer.digest}`, { method: 'HEAD' })).headers.get('content-length'),
      String(layer.size),
    );
    assert.equal((await skopeoInspectRaw(`${target.host}/resume/big:v1`, target)).digest, big.digest);
  },
);

test(
  'a 1 GiB upload whose connection drops three times goes on in its session where the registry keeps it: at most 1.2 GiB moved each way',
  { timeout: 600_000 },
  async (t) => {
    const upload = /\/blobs\/uploads\/[^?]+/;
    // The PUT that sends the layer whole, then the PATCHes that resume it.
    keeperProxy.addFault({
      method: 'PUT',
      pathPattern: new RegExp(`/blobs/uploads/.*digest=sha256(%3A|:)${layer.digest.slice(7)}`),
      times: 1,
      action: { kind: 'cut-request', afterBytes: 300 * MiB },
    });
    keeperProxy.addFault({ method: 'PATCH', pathPattern: upload, times: 2, action: { kind: 'cut-request', afterBytes: 300 * MiB } });
    sourceProxy.clearRequests();
    keeperProxy.clearRequests();
    const { digest, events } = await copy(`${sourceProxy.host}/resume/big:v1`, `${keeperProxy.host}/resume/big:v1`);
    assert.equal(digest, big.digest);
    const targetResumes = resumes(events).filter(([side]) => side === 'target');
    assert.equal(targetResumes.length, 3, JSON.stringify(resumes(events)));
    const read = bytes(sourceProxy, 'GET', new RegExp(`/blobs/${layer.digest}`), 'bytesOut');
    const sent = ['PUT', 'PATCH'].reduce((sum, method) => sum + bytes(keeperProxy, method, upload, 'bytesIn'), 0);
    t.diagnostic(
      `1 GiB layer, 3 drops: read ${(read / MiB).toFixed(0)} MiB from the source, sent ${(sent / MiB).toFixed(0)} MiB to the target`,
    );
    assert.ok(read <= 1.2 * GiB, `read ${(read / MiB).toFixed(0)} MiB from the source`);
    assert.ok(sent <= 1.2 * GiB, `sent ${(sent / MiB).toFixed(0)} MiB to the target`);
    assert.ok(keeper.blobs.has(layer.digest), 'the registry verified and committed the layer');
    assert.ok(keeper.manifest('resume/big', 'v1')?.equals(big.manifest), 'then the manifest was written');
  },
);
