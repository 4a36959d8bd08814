import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import type { HostEvent } from '../../src/transport/index.js';
import { pushImage, skopeoInspectRaw, type BuiltImage } from '../harness/index.js';
import { dockerImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/*
 * Docker Hub's pull quota, against the real registry: the fault proxy in front of the source puts
 * Docker Hub's `ratelimit-limit` / `ratelimit-remaining` on the manifest answers (the real registry
 * sends none), and records when each request came.
 */

let single: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  single = await pushImage(dockerImage, source, 'quota/single:v1');
});

const MANIFESTS = /^\/v2\/quota\/single\/manifests\//;
const quotaHeaders = (remaining: number, window: number) => ({
  'ratelimit-limit': `100;w=${window}`,
  'ratelimit-remaining': `${remaining};w=${window}`,
});

const describe = (events: HostEvent[]): string[] =>
  events.map((e) => (e.type === 'host-quota' ? `quota:${e.remaining}` : `${e.type}:${e.reason}`));

test('at the quota reserve manifest GETs wait, HEADs ask again, and the copy goes on once the quota allows', async (t) => {
  const events: HostEvent[] = [];
  const engine = new CopyEngine({ onHostEvent: (e) => events.push(e) });
  t.after(() => engine.close());
  const { sourceProxy, target } = pair;
  sourceProxy.clearRequests();
  t.after(() => sourceProxy.clearFaults());
  // The first two manifest answers say 10 left (the check's HEAD and the first probe), the later ones 50.
  sourceProxy.addFault({ pathPattern: MANIFESTS, times: 2, action: { kind: 'add-headers', headers: quotaHeaders(10, 10) } });
  sourceProxy.addFault({ pathPattern: MANIFESTS, times: 100, action: { kind: 'add-headers', headers: quotaHeaders(50, 10) } });
  const result = await engine.copy({
    source: `${sourceProxy.host}/quota/single:v1`,
    target: `${target.host}/quota/waited:v1`,
    sourceEndpoint: { quotaReserve: 10 },
  });
  assert.equal(result.digest, single.digest);
  const manifestRequests = sourceProxy.requests.filter((r) => r.path.startsWith('/v2/quota/single/manifests/'));
  const firstGet = manifestRequests.findIndex((r) => r.method === 'GET');
  assert.ok(firstGet >= 0, 'the manifest was read');
  // The check's HEAD, then the probes (one a second for a 10 s window): two at least before the GET.
  assert.ok(
    manifestRequests.slice(0, firstGet).every((r) => r.method === 'HEAD'),
    manifestRequests.map((r) => r.method).join(' '),
  );
  assert.ok(firstGet >= 3, `${firstGet} HEADs before the GET`);
  const waited = (manifestRequests[firstGet]?.at ?? 0) - (manifestRequests[0]?.at ?? 0);
  assert.ok(waited >= 1900, `the GET went ${waited} ms after the first answer`);
  assert.deepEqual(describe(events), ['quota:10', 'host-paused:quota', 'quota:50', 'host-resumed:quota']);
  const paused = events[1];
  assert.ok(paused?.type === 'host-paused' && paused.reason === 'quota');
  assert.deepEqual(
    { host: paused.host, remaining: paused.remaining, limit: paused.limit, windowSeconds: paused.windowSeconds, reserve: paused.reserve },
    { host: sourceProxy.host, remaining: 10, limit: 100, windowSeconds: 10, reserve: 10 },
  );
  assert.equal((await skopeoInspectRaw(`${target.host}/quota/waited:v1`, target)).digest, single.digest);
});

test('a GET that waits longer than quotaWaitSeconds fails its image with QUOTA_EXHAUSTED, and nothing is tagged', async (t) => {
  const engine = new CopyEngine();
  t.after(() => engine.close());
  const { sourceProxy, target } = pair;
  sourceProxy.clearRequests();
  t.after(() => sourceProxy.clearFaults());
  sourceProxy.addFault({ pathPattern: MANIFESTS, times: 100, action: { kind: 'add-headers', headers: quotaHeaders(10, 600) } });
  await assert.rejects(
    engine.copy({
      source: `${sourceProxy.host}/quota/single:v1`,
      target: `${target.host}/quota/exhausted:v1`,
      sourceEndpoint: { quotaReserve: 10, quotaWaitSeconds: 1 },
    }),
    {
      code: 'QUOTA_EXHAUSTED',
      message: new RegExp(
        `${sourceProxy.host.replace(/[.[\]]/g, '\\$&')}: 10 of 100 pulls left, not more than the reserve of 10 \\(quotaReserve\\); a manifest GET waited 1s for the quota \\(quotaWaitSeconds\\)`,
      ),
    },
  );
  assert.equal(sourceProxy.count('GET', MANIFESTS), 0, 'no pull was spent');
  assert.equal(pair.targetProxy.count('PUT', /manifests/), 0);
  await assert.rejects(skopeoInspectRaw(`${target.host}/quota/exhausted:v1`, target));
});

test('without a quotaReserve the headers are only read: nothing waits', async (t) => {
  const events: HostEvent[] = [];
  const engine = new CopyEngine({ onHostEvent: (e) => events.push(e) });
  t.after(() => engine.close());
  const { sourceProxy, target } = pair;
  t.after(() => sourceProxy.clearFaults());
  sourceProxy.addFault({ pathPattern: MANIFESTS, times: 100, action: { kind: 'add-headers', headers: quotaHeaders(0, 600) } });
  const result = await engine.copy({ source: `${sourceProxy.host}/quota/single:v1`, target: `${target.host}/quota/free:v1` });
  assert.equal(result.digest, single.digest);
  assert.deepEqual(describe(events), ['quota:0']);
});
