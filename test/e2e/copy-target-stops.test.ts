import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { CopyEngine, type CopyEvent } from '../../src/copy/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  startedSoFar,
  type BuiltImage,
  type FaultProxy,
  type ImageSpec,
  type TestRegistry,
} from '../harness/index.js';

/*
 * A destination that fails for good stops receiving at once. The target behind the fault proxy
 * refuses the small layer's upload (403) and holds the large layer's upload after its first MiB (a
 * real registry cannot refuse on demand). Single copy: the hold is let go once the copy says
 * `target-failed`. Grouped (one source read teed to two targets): only once the healthy target has
 * the large layer, which it gets only if the failed branch stopped holding the shared read back
 * (else the test's timeout fails it). Cut at once, the failing target received a small part of the
 * large layer; left running it gets every byte after the hold. No timing: events order everything.
 */

const MiB = 1024 * 1024;
const image: ImageSpec = {
  kind: 'image',
  format: 'oci',
  layers: [
    { seed: 'target-stop-small', size: 64 * 1024 },
    { seed: 'target-stop-large', size: 48 * MiB },
  ],
  platform: { os: 'linux', architecture: 'amd64' },
};

let source: TestRegistry;
let healthy: TestRegistry;
let failing: TestRegistry;
let proxy: FaultProxy;
let built: BuiltImage;
let small: { digest: string; size: number };
let large: { digest: string; size: number };

before(async () => {
  [source, healthy, failing] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(failing);
  built = await pushImage(image, source, 'stop/app:v1');
  const layers = (JSON.parse(built.manifest.toString('utf8')) as { layers: Array<{ digest: string; size: number }> }).layers;
  [small, large] = [layers[0] ?? assert.fail('no small layer'), layers[1] ?? assert.fail('no large layer')];
  assert.ok(large.size > 32 * MiB, `the large layer has ${large.size} bytes`);
});

after(async () => {
  const started = startedSoFar({ proxy, source, healthy, failing });
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.healthy?.stop(), started.failing?.stop()]);
});

/** An upload that closes with `?digest=` of `blob`: the PUT of a monolithic upload, or the closing one. */
const uploadOf = (blob: { digest: string }) => new RegExp(`digest=${encodeURIComponent(blob.digest)}`);

/** Lets the hold go, rules cleared first: what the copy still sends goes through and is counted. */
function letGo(): void {
  proxy.clearFaults();
  proxy.release();
}

/** The 403 on the small layer, the hold on the large one; `onEvent` lets go once `target-failed` came when `letGoOnFailure`. */
function refuseAndHold(letGoOnFailure: boolean): { events: CopyEvent[]; onEvent: (event: CopyEvent) => void; failed: Promise<CopyEvent> } {
  proxy.clearFaults();
  proxy.clearRequests();
  proxy.addFault({ method: 'PUT', pathPattern: uploadOf(small), times: 1, action: { kind: 'status', status: 403 } });
  proxy.addFault({ method: 'PUT', pathPattern: uploadOf(large), times: 1, action: { kind: 'stallUpload', afterBytes: MiB } });
  const events: CopyEvent[] = [];
  let heard: (event: CopyEvent) => void = () => {};
  const failed = new Promise<CopyEvent>((resolve) => (heard = resolve));
  const onEvent = (event: CopyEvent): void => {
    events.push(event);
    if (event.type !== 'target-failed') return;
    heard(event);
    if (letGoOnFailure) letGo();
  };
  return { events, onEvent, failed };
}

/** Large-layer bytes the failing target's registry received (its PUTs and any PATCH). */
const largeBytesSent = (): number =>
  proxy.requests.filter((r) => r.path.search(uploadOf(large)) >= 0 || r.method === 'PATCH').reduce((sum, r) => sum + r.bytesIn, 0);

function assertFailedTarget(t: TestContext, events: CopyEvent[], target: string): void {
  t.diagnostic(`the failing target got ${largeBytesSent()} of ${large.size} bytes of the large layer`);
  const stopped = events.find((e) => e.type === 'target-failed');
  assert.ok(stopped?.type === 'target-failed', 'target-failed was heard');
  assert.equal(stopped.target, target);
  assert.match(stopped.error.message, /403/);
  const failed = events.filter((e) => e.type === 'image-failed');
  assert.equal(failed.length, 1, 'one image-failed');
  assert.ok(failed[0]?.type === 'image-failed');
  assert.equal(failed[0].target, target, 'the failure names the target');
  assert.match(failed[0].error.message, new RegExp(`${proxy.host}.*403|403.*${proxy.host}`), 'and its registry and reason');
  assert.ok(largeBytesSent() < large.size / 2, `the failing target got ${largeBytesSent()} of ${large.size} bytes of the large layer`);
}

test(
  'grouped copy: a target that fails is cut from the shared read at once, the other gets the whole image',
  { timeout: 240_000 },
  async (t) => {
    const { events, onEvent, failed } = refuseAndHold(false);
    const healthyEvents: CopyEvent[] = [];
    // The hold stays until the healthy target has the large layer: the failed branch holds nobody back.
    const onHealthy = (event: CopyEvent): void => {
      healthyEvents.push(event);
      if (event.type === 'blob-done' && event.digest === large.digest) letGo();
    };
    const failingTarget = `${proxy.host}/group/app:v1`;
    const engine = new CopyEngine();
    try {
      const settled = await engine.copyGroup([
        { task: { source: `${source.host}/stop/app:v1`, target: `${healthy.host}/group/app:v1` }, run: { onEvent: onHealthy } },
        { task: { source: `${source.host}/stop/app:v1`, target: failingTarget }, run: { onEvent } },
      ]);
      await failed;
      assert.equal(settled[0]?.status === 'fulfilled' ? settled[0].value.status : settled[0]?.reason, 'copied');
      assert.equal(settled[1]?.status, 'rejected');
    } finally {
      await engine.close();
    }
    assertFailedTarget(t, events, failingTarget);
    assert.equal(healthyEvents.filter((e) => e.type === 'target-failed' || e.type === 'image-failed').length, 0);
    assert.equal((await skopeoInspectRaw(`${healthy.host}/group/app:v1`, healthy)).digest, built.digest, 'the healthy target has it whole');
    await assert.rejects(skopeoInspectRaw(`${failing.host}/group/app:v1`, failing), 'the failing target was never tagged');
  },
);

test('single copy: a blob the target refuses stops the image’s other uploads at once', { timeout: 240_000 }, async (t) => {
  const { events, onEvent, failed } = refuseAndHold(true);
  const target = `${proxy.host}/single/app:v1`;
  const engine = new CopyEngine();
  try {
    await assert.rejects(engine.copy({ source: `${source.host}/stop/app:v1`, target }, { onEvent }));
    await failed;
  } finally {
    await engine.close();
  }
  assertFailedTarget(t, events, target);
  await assert.rejects(skopeoInspectRaw(`${failing.host}/single/app:v1`, failing), 'never tagged');
});

test(
  'grouped copy: a transient break of one target is retried as before, not cut: both get the whole image',
  { timeout: 240_000 },
  async () => {
    proxy.clearFaults();
    proxy.clearRequests();
    // A connection broken mid-body is worth another attempt (distribution drops the session: the blob starts over).
    proxy.addFault({ method: 'PUT', pathPattern: uploadOf(large), times: 1, action: { kind: 'cut-request', afterBytes: MiB } });
    const events: CopyEvent[] = [];
    const engine = new CopyEngine();
    try {
      const settled = await engine.copyGroup(
        ['retry-a', 'retry-b'].map((repository, i) => ({
          task: { source: `${source.host}/stop/app:v1`, target: `${i === 0 ? healthy.host : proxy.host}/${repository}/app:v1` },
          run: { onEvent: (e: CopyEvent) => events.push(e) },
        })),
      );
      assert.deepEqual(
        settled.map((s) => (s.status === 'fulfilled' ? s.value.status : s.reason)),
        ['copied', 'copied'],
      );
    } finally {
      await engine.close();
    }
    assert.equal(events.filter((e) => e.type === 'target-failed' || e.type === 'image-failed').length, 0);
    assert.ok(
      events.some((e) => e.type === 'retry' && e.url.includes(large.digest)),
      'the broken upload was retried',
    );
    assert.equal((await skopeoInspectRaw(`${failing.host}/retry-b/app:v1`, failing)).digest, built.digest);
    assert.equal((await skopeoInspectRaw(`${healthy.host}/retry-a/app:v1`, healthy)).digest, built.digest);
  },
);
