import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startFaultProxy, startRegistry, type FaultProxy, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { apiPort, idleRegistry, jobWhen, startSync, submitJob, writeConfig, type SyncProcess } from './sync-kit.js';

/**
 * The distribute API is no request forger: with loopback left out of api.distributeAllowedNetworks,
 * a job cannot reach the (real) registries on 127.0.0.1, written as an address or as a name that
 * resolves there; and state changes are refused from another origin.
 */
let source: TestRegistry;
let target: TestRegistry;
let sourceProxy: FaultProxy;
let targetProxy: FaultProxy;
let server: SyncProcess;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  [sourceProxy, targetProxy] = await Promise.all([startFaultProxy(source), startFaultProxy(target)]);
  await pushImage(ociImage, source, 'library/app:v1');
  const dir = await makeTempDir('sync-guard');
  const port = await apiPort();
  const config = {
    registries: [idleRegistry],
    api: { enabled: true, port, distributeAllowedNetworks: ['10.0.0.0/8'] },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: false },
  };
  server = await startSync(await writeConfig(dir, config), { port, cwd: dir });
});

after(async () => {
  const started = startedSoFar({ server, sourceProxy, targetProxy, source, target });
  await started.server?.kill();
  await Promise.all([started.sourceProxy?.close(), started.targetProxy?.close()]);
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

const sourceSide = (host: string) => ({ endpoint: `http://${host}/v2`, image: 'library/app', ref: 'v1' });

test('loopback not allowed: 127.0.0.1 is refused when posted; localhost (a name) fails the job after its lookup; no registry is contacted', async () => {
  const posted = await server.api('/api/distribute/image', {
    method: 'POST',
    body: { source: sourceSide(sourceProxy.host), targets: [{ endpoint: `http://${targetProxy.host}/v2` }] },
  });
  assert.equal(posted.status, 400);
  assert.equal(posted.json.error.code, 'ADDRESS_REFUSED');
  assert.match(
    posted.json.error.message,
    /^source\.endpoint: 127\.0\.0\.1 is a loopback address, not in api\.distributeAllowedNetworks \(10\.0\.0\.0\/8\); targets\[0\]\.endpoint: 127\.0\.0\.1 is a loopback/,
  );

  const byName = (host: string) => host.replace('127.0.0.1', 'localhost');
  const targetEndpoint = `http://${byName(targetProxy.host)}/v2`;
  const id = await submitJob(server, { source: sourceSide(byName(sourceProxy.host)), targets: [{ endpoint: targetEndpoint }] });
  const failed = await jobWhen(server, id, (j) => j.value === 'FAILED' || j.value === 'FINISHED', 'to end');
  assert.equal(failed.value, 'FAILED');
  assert.equal(failed.errors.length, 1);
  assert.equal(failed.errors[0]?.endpoint, targetEndpoint);
  assert.equal(failed.errors[0].code, 'ADDRESS_REFUSED');
  assert.match(
    failed.errors[0].message,
    /localhost resolves to 127\.0\.0\.1, which is a loopback address, not in api\.distributeAllowedNetworks/,
  );
  assert.deepEqual([sourceProxy.requests.length, targetProxy.requests.length], [0, 0], 'neither registry was contacted');
});

test('state changes from another origin are refused (CSRF); GET cannot change state with auth off', async () => {
  const fromPage = await fetch(`${server.url}/ops?sync=${idleRegistry.hostname}&action=pause`, {
    method: 'POST',
    headers: { origin: 'http://evil.example' },
  });
  assert.equal(fromPage.status, 403);
  assert.equal(((await fromPage.json()) as { error: { code: string } }).error.code, 'CROSS_ORIGIN');
  const job = await fetch(`${server.url}/api/distribute/image`, {
    method: 'POST',
    headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(job.status, 403);
  const get = await server.api(`/ops?sync=${idleRegistry.hostname}&action=pause`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  const head = await fetch(`${server.url}/ops?sync=${idleRegistry.hostname}&action=pause`, { method: 'HEAD' });
  assert.equal(head.status, 405);
  const state = (await server.api(`/ops?sync=${idleRegistry.hostname}&action=details`)).json.synchronizer.state;
  assert.equal(state, 'scheduled', 'nothing was paused');
  assert.equal(
    (await server.api(`/ops?sync=${idleRegistry.hostname}&action=pause`, { method: 'POST' })).status,
    200,
    'a POST from curl (no Origin) does',
  );
});
