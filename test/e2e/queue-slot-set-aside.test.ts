import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startFaultProxy, type BuiltImage, type FaultProxy } from '../harness/index.js';
import { layerHolds, oneLayerImage, startWorker, useQueueRig } from './queue-kit.js';
import { apiPort, digestAt, startSync, until, writeConfig, type LogLine, type SyncProcess } from './sync-kit.js';

/*
 * A job whose source host has no free slot (`queue.sourceCopies`) is set aside instead of holding
 * its worker's copy slot: a worker of two slots, one copying from host A (held mid-blob), keeps
 * taking jobs for host B while A's second job waits for A's only slot.
 */

const A_IMAGES = ['a-one', 'a-two'];
// The cancel case's own images: a layer copied by the case before would be mounted at the target, not read.
const C_IMAGES = ['c-one', 'c-two'];
const built = new Map<string, BuiltImage>();
// The rig's source proxy is host A; a second proxy in front of the same registry is host B, and a
// second target proxy gives B's entry a registries entry of its own (an entry is keyed by its hostname).
let hostB: FaultProxy | undefined;
let targetB: FaultProxy | undefined;
const rig = useQueueRig('queue-slot-set-aside', async ({ source, target }) => {
  for (const name of [...A_IMAGES, 'b-one', ...C_IMAGES])
    built.set(name, await pushImage(oneLayerImage(`queue-set-aside-${name}`), source, `aside/${name}:v1`));
  [hostB, targetB] = await Promise.all([startFaultProxy(source), startFaultProxy(target)]);
});
test.after(async () => {
  await Promise.all([hostB?.close(), targetB?.close()]);
});
const { hold, isHeld } = layerHolds(rig, built);

/** A sync server whose run starts at once: `entry` on the queue `queue` of the rig's Redis. */
async function startServer(name: string, entry: object, queue: object): Promise<SyncProcess> {
  const home = await makeTempDir(name);
  const port = await apiPort();
  const config = {
    registries: [entry],
    api: { enabled: true, port },
    state: { path: join(home, 'state.db') },
    queue: { url: rig.redis.url, ...queue },
    sync: { runOnStart: true },
  };
  const server = await startSync(await writeConfig(home, config), { port, cwd: home });
  rig.processes.push(server);
  return server;
}

const jobOf = (line: LogLine | undefined): string => String(line?.job);

test('sourceCopies 1 for host A, a worker of 2 slots: while one A copy is held and the other A job waits for the slot, a job for host B is taken and copied; no try is counted for the wait', async () => {
  const { sourceProxy, targetProxy } = rig;
  assert.ok(hostB && targetB, 'the proxies of host B started');
  const queue = { name: 'set-aside', sourceCopies: { [sourceProxy.host]: 1 } };
  const entryA = { hostname: targetProxy.host, repository: 'from-a', images: A_IMAGES.map((n) => `${sourceProxy.host}/aside/${n}:v1`) };
  const entryB = { hostname: targetB.host, repository: 'from-b', images: [`${hostB.host}/aside/b-one:v1`] };
  const home = await makeTempDir('queue-set-aside-worker');
  const workerConfig = await writeConfig(home, { registries: [entryA, entryB], queue: { ...queue, stalledSeconds: 60 } });
  // Whichever A job gets A's only slot is held mid-blob; the other one waits for the slot.
  for (const name of A_IMAGES) hold(name);
  const worker = await startWorker(workerConfig, { cwd: home, queue: rig.redis.url, concurrency: 2 });
  rig.processes.push(worker);
  const serverA = await startServer('queue-set-aside-a', entryA, queue);
  await until(() => A_IMAGES.some(isHeld), 'an A image held mid-blob at host A', 60_000);
  const refused = await worker.waitForLog((l) => l.event === 'host-slot-waiting', "the other A job refused A's slot", 0, 60_000);
  // Only now is B's job queued: both A jobs were taken before it.
  const serverB = await startServer('queue-set-aside-b', entryB, queue);
  const copiedB = await until(
    () => worker.events('copy-job-ended').find((l) => l.status === 'copied' && String(l.target).includes('/from-b/')),
    "B's job copied while the A copy is held and the other A job waits for A's slot",
    120_000,
  );
  assert.ok(A_IMAGES.some(isHeld), 'the A copy is still held: B was copied in the slot the waiting A job gave back');
  assert.ok(worker.events('copy-job-ended', undefined).some((l) => l.status === 'set-aside' && jobOf(l) === jobOf(refused)));
  rig.sourceProxy.clearFaults();
  rig.sourceProxy.release();
  const [finishedA, finishedB] = await Promise.all(
    [serverA, serverB].map((s) => s.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, 180_000)),
  );
  assert.deepEqual([finishedA?.result, finishedA?.copied, finishedA?.failed], ['succeeded', 2, 0]);
  assert.deepEqual([finishedB?.result, finishedB?.copied, finishedB?.failed], ['succeeded', 1, 0]);
  // Event order in the worker's log: B's copy ended before the waiting A job's last take, the one that copied it.
  // (The runs can finish before the worker's line of that copy's end is read: its result goes first.)
  await worker.waitForLog(
    (l) => l.event === 'copy-job-ended' && l.status === 'copied' && jobOf(l) === jobOf(refused),
    "the waiting A job's end",
    0,
    30_000,
  );
  const lines = worker.logs;
  const takesOfWaiting = lines.flatMap((l, i) => (l.event === 'copy-job-taken' && jobOf(l) === jobOf(refused) ? [i] : []));
  const lastTake = takesOfWaiting.at(-1) ?? -1;
  assert.ok(lines.indexOf(copiedB) < lastTake, 'B ended before the waiting A job was taken for its copy');
  assert.equal(lines.slice(lastTake).find((l) => l.event === 'copy-job-ended' && jobOf(l) === jobOf(refused))?.status, 'copied');
  // Set aside is no try: every take of the waiting job is its first attempt.
  assert.deepEqual(
    lines.filter((l) => l.event === 'copy-job-taken' && jobOf(l) === jobOf(refused)).map((l) => l.attempt),
    takesOfWaiting.map(() => 1),
  );
  assert.equal(worker.events('host-slot-waiting').length, 1, 'said once for the job');
  for (const name of A_IMAGES) assert.equal(await digestAt(rig.target, `from-a/aside/${name}:v1`), built.get(name)?.digest, name);
  assert.equal(await digestAt(rig.target, 'from-b/aside/b-one:v1'), built.get('b-one')?.digest);
  await Promise.all([serverA.stop(), serverB.stop(), worker.stop()]);
});

test('a pause of the run while one of its jobs is set aside for a host slot: the set-aside job is withdrawn, the held copy cancelled, nothing tagged', async () => {
  const { sourceProxy, targetProxy } = rig;
  const queue = { name: 'set-aside-cancel', sourceCopies: { [sourceProxy.host]: 1 } };
  const entry = { hostname: targetProxy.host, repository: 'cancelled', images: C_IMAGES.map((n) => `${sourceProxy.host}/aside/${n}:v1`) };
  const home = await makeTempDir('queue-set-aside-cancel');
  const workerConfig = await writeConfig(home, { registries: [entry], queue: { ...queue, stalledSeconds: 60 } });
  sourceProxy.clearFaults();
  for (const name of C_IMAGES) hold(name);
  const worker = await startWorker(workerConfig, { cwd: home, queue: rig.redis.url, concurrency: 2 });
  rig.processes.push(worker);
  const server = await startServer('queue-set-aside-cancel-server', entry, queue);
  await until(() => C_IMAGES.some(isHeld), 'a C image held mid-blob', 60_000);
  const refused = await worker.waitForLog(
    (l) => l.event === 'copy-job-ended' && l.status === 'set-aside',
    'the other job set aside',
    0,
    60_000,
  );
  const paused = await server.api(`/ops?sync=${encodeURIComponent(targetProxy.host)}&action=pause`, { method: 'POST' });
  assert.deepEqual([paused.status, paused.json.cancelledRun], [200, true]);
  const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the cancelled run', 0, 60_000);
  assert.deepEqual([finished.result, finished.copied, finished.cancelled], ['cancelled', 0, 2]);
  await worker.waitForLog((l) => l.event === 'copy-job-ended' && l.status === 'cancelled', 'the held copy to be cancelled', 0, 60_000);
  sourceProxy.clearFaults();
  sourceProxy.release();
  const endsOfRefused = worker.events('copy-job-ended').filter((l) => jobOf(l) === jobOf(refused));
  assert.ok(
    endsOfRefused.every((l) => l.status === 'set-aside' || l.status === 'cancelled'),
    endsOfRefused.map((l) => l.status).join(', '),
  );
  for (const name of C_IMAGES) assert.equal(await digestAt(rig.target, `cancelled/aside/${name}:v1`), undefined, name);
  await Promise.all([server.stop(), worker.stop()]);
});
