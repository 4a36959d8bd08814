import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import {
  pushImage,
  startForwardProxy,
  startRegistry,
  startedSoFar,
  type BuiltImage,
  type ForwardProxy,
  type TestRegistry,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { apiPort, digestAt, idleRegistry, jobWhen, startSync, submitJob, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * Distribute jobs (`/api/distribute/image`) of the real `picture-book sync` process go through the
 * proxy of its environment (HTTP_PROXY / HTTPS_PROXY), a real forward proxy (tinyproxy) on
 * loopback. A job's registries are checked against the address guard before the proxy is asked
 * for them, so even plain http goes in a CONNECT tunnel; NO_PROXY still sends its hosts direct.
 */

const TOKEN = 'distribute-proxy-api-token-6d0b';
let source: TestRegistry;
let target: TestRegistry;
let direct: TestRegistry;
let proxy: ForwardProxy;
let built: BuiltImage;
let server: SyncProcess | undefined;

before(async () => {
  [source, target, direct, proxy] = await Promise.all([startRegistry(), startRegistry(), startRegistry(), startForwardProxy()]);
  built = await pushImage(ociImage, source, 'library/app:v1');
  const dir = await makeTempDir('sync-distribute-proxy');
  const port = await apiPort();
  const config = {
    registries: [idleRegistry],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: false },
  };
  // Both spellings: the lowercase names win (as curl reads them), whatever the test's own environment holds.
  const env = {
    HTTP_PROXY: proxy.url,
    HTTPS_PROXY: proxy.url,
    NO_PROXY: direct.host,
    http_proxy: proxy.url,
    https_proxy: proxy.url,
    no_proxy: direct.host,
  };
  server = await startSync(await writeConfig(dir, config), { port, token: TOKEN, cwd: dir, env });
});

after(async () => {
  const started = startedSoFar({ server, source, target, direct, proxy });
  await started.server?.kill();
  await Promise.all([started.source?.stop(), started.target?.stop(), started.direct?.stop(), started.proxy?.stop()]);
});

test('a distribute job reaches its source and target through the environment’s proxy, in CONNECT tunnels; a NO_PROXY target goes direct', async () => {
  assert.ok(server);
  const s = server;
  const sourceSide = { endpoint: `http://${source.host}/v2`, image: 'library/app', ref: 'v1' };
  const before = proxy.requests.length;
  const id = await submitJob(s, {
    source: sourceSide,
    targets: [{ endpoint: `http://${target.host}/v2` }, { endpoint: `http://${direct.host}/v2` }],
  });
  const done = await jobWhen(s, id, (j) => j.value === 'FINISHED' || j.value === 'FAILED', 'to end', [], 60_000);
  assert.deepEqual([done.value, done.errors], ['FINISHED', []]);
  assert.equal(await digestAt(target, 'library/app:v1'), built.digest);
  assert.equal(await digestAt(direct, 'library/app:v1'), built.digest);

  const relayed = proxy.requests.slice(before);
  assert.ok(
    relayed.some((r) => r.method === 'CONNECT' && r.target === source.host),
    `the source through the proxy: ${JSON.stringify(relayed)}`,
  );
  assert.ok(
    relayed.some((r) => r.method === 'CONNECT' && r.target === target.host),
    `the target through the proxy: ${JSON.stringify(relayed)}`,
  );
  assert.equal(
    relayed.filter((r) => !(r.method === 'CONNECT' && (r.target === source.host || r.target === target.host))).length,
    0,
    `nothing else, in particular not the NO_PROXY target, and no absolute-form request: ${JSON.stringify(relayed)}`,
  );
});
