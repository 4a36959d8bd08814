import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  buildImage,
  pushImage,
  pushRecords,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type ImageSpec,
  type PushRecord,
  type PushTarget,
  type TestRegistry,
} from './index.js';
import { repositoryOf } from './push-lock.js';
import { startedSoFar } from './started-so-far.js';

/**
 * Two pushes into one repository never overlap (distribution 2.8 answers one of them 500 when they
 * do), while a push into another repository goes on. The pushes go through a fault proxy that holds
 * the first one inside its push, so "the second waits" is seen, not hoped for.
 */
let registry: TestRegistry;
let proxy: FaultProxy;
let through: PushTarget;

before(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
  through = { host: proxy.host, password: undefined, skopeoFlags: (side) => registry.skopeoFlags(side) };
});

after(async () => {
  const started = startedSoFar({ proxy, registry });
  started.proxy?.clearFaults();
  started.proxy?.release();
  await started.proxy?.close();
  await started.registry?.stop();
});

const image = (name: string): ImageSpec => ({
  kind: 'image',
  format: 'oci',
  layers: [{ seed: `push-lock-${name}`, size: 16 * 1024 }],
  platform: { os: 'linux', architecture: 'amd64' },
});

/** Resolves once `check` holds; a deadline, not a sleep. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const recordOf = (ref: string): PushRecord | undefined => pushRecords().find((r) => r.target === `${proxy.host}/${ref}`);

test('two pushes into one repository are serialised; a push into another repository does not wait for them', async (t) => {
  const specs = { a: image('a'), b: image('b'), other: image('other') };
  await Promise.all(Object.values(specs).map((spec) => buildImage(spec))); // so the pushes start together
  // The first manifest read of lock/app (skopeo's check of what it pushed) is held: that push stays under way.
  proxy.addFault({ method: 'GET', pathPattern: /^\/v2\/lock\/app\/manifests\//, times: 1, action: { kind: 'stall', afterBytes: 0 } });
  t.after(() => proxy.release());
  const pushes = Promise.all([pushImage(specs.a, through, 'lock/app:a'), pushImage(specs.b, through, 'lock/app:b')]);
  await until(
    () => proxy.stalled.length === 1 && recordOf('lock/app:a') !== undefined && recordOf('lock/app:b') !== undefined,
    'one push held, both asked for',
  );

  const heldTag = /\/manifests\/(a|b)$/.exec(proxy.stalled[0]?.path ?? '')?.[1];
  assert.ok(heldTag, `held ${proxy.stalled[0]?.path}`);
  const waitingTag = heldTag === 'a' ? 'b' : 'a';
  assert.notEqual(recordOf(`lock/app:${heldTag}`)?.startedAt, undefined);
  assert.equal(
    recordOf(`lock/app:${waitingTag}`)?.startedAt,
    undefined,
    'the second push into lock/app started while the first was under way',
  );
  const waitingBlobs = (await buildImage(specs[waitingTag])).blobs.map((b) => b.digest);
  assert.deepEqual(
    proxy.requests.filter((r) => r.path.endsWith(`/manifests/${waitingTag}`) || waitingBlobs.some((d) => r.path.includes(d))),
    [],
    'the registry saw nothing of the second push',
  );

  // Another repository, pushed while lock/app is held: it starts at once and completes.
  const otherPush = pushImage(specs.other, through, 'lock/other:v1');
  await until(() => recordOf('lock/other:v1') !== undefined, 'the push into lock/other to be asked for');
  await new Promise((resolve) => setImmediate(resolve)); // a free lock is taken within the same turn
  assert.notEqual(recordOf('lock/other:v1')?.startedAt, undefined, 'the push into lock/other waited for lock/app');
  assert.equal((await otherPush).digest, (await buildImage(specs.other)).digest);
  assert.equal(proxy.stalled.length, 1, 'lock/app was still held meanwhile');

  proxy.release();
  await pushes;
  const [first, second] = [recordOf(`lock/app:${heldTag}`), recordOf(`lock/app:${waitingTag}`)];
  assert.ok(
    first?.endedAt !== undefined && second?.startedAt !== undefined && second.startedAt >= first.endedAt,
    'the second started after the first ended',
  );
});

test('the lock is per repository: a tag or a digest names the same one, a registry port is not a tag', () => {
  assert.equal(repositoryOf('team/app:v1'), 'team/app');
  assert.equal(repositoryOf('team/app@sha256:0123'), 'team/app');
  assert.equal(repositoryOf('team/app:v1@sha256:0123'), 'team/app');
  assert.equal(repositoryOf('app'), 'app');
});
