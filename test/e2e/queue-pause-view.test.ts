import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { CopyEngine } from '../../src/copy/index.js';
import { CopyQueue, CopyWorker, type QueueEvent } from '../../src/queue/index.js';
import { hostPauseChannel, hostPauseKey } from '../../src/queue/queue-names.js';
import { makeTempDir } from '../harness/procs.js';
import { pushImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useQueueRig } from './queue-kit.js';
import { writeConfig } from './sync-kit.js';

/*
 * A worker keeps the 429 pauses other workers stored in its host gates: from their announcements,
 * and from what Redis holds when it starts listening (at start, and again after its subscription
 * broke): a copy asks Redis nothing about pauses before it starts. Real redis-server, registries,
 * engine and worker (in this process, to see whom its gates were told to pause). The pauses are
 * for hosts no copy talks to, and minutes long: never waited for.
 */

const rig = useQueueRig('queue-pause-view', async ({ source }) => {
  await pushImage(ociImage, source, 'library/app:v1');
});

const MINUTES = 10 * 60_000;

/** A worker of one slot whose gates' pauses and log are recorded; `waitFor` resolves on the first log event that matches. */
async function startWorker(name: string) {
  const { target, source, redis } = rig;
  const file = await writeConfig(await makeTempDir(`queue-pause-view-${name}`), {
    registries: [{ hostname: target.host, images: [`${source.host}/library/app:v1`] }],
  });
  const { config } = await loadConfig(file);
  const engine = new CopyEngine();
  const paused: string[] = [];
  const log: QueueEvent[] = [];
  const waiting: Array<{ match: (e: QueueEvent) => boolean; resolve: (e: QueueEvent) => void }> = [];
  const worker = new CopyWorker({
    settings: { url: redis.url, name, stalledSeconds: 30 },
    config: () => config,
    engine,
    hosts: {
      onHostEvent: (listener) => engine.onHostEvent(listener),
      pauseHost: (host, waitMs) => {
        paused.push(host);
        engine.pauseHost(host, waitMs);
      },
    },
    concurrency: 1,
    name: `${name}-worker`,
    emit: (event) => {
      log.push(event);
      for (const w of waiting.filter((w) => w.match(event))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(event);
      }
    },
  });
  const waitFor = (match: (e: QueueEvent) => boolean): Promise<QueueEvent> =>
    new Promise((resolve) => {
      const seen = log.find(match);
      if (seen) resolve(seen);
      else waiting.push({ match, resolve });
    });
  const stop = async (): Promise<void> => {
    await worker.stop(0);
    await engine.close();
  };
  return { worker, paused, log, waitFor, stop };
}

const sharedFor = (host: string) => (e: QueueEvent) => e.type === 'host-pause-shared' && e.host === host;

test('a pause stored before the worker started holds from its start; its copies then ask Redis nothing about pauses', async (t) => {
  const { redis, source, target } = rig;
  const name = 'pause-before';
  const probe = new Redis(redis.url);
  t.after(() => probe.quit());
  const elsewhere = 'registry-one.example:5000';
  await probe.set(hostPauseKey({ name }, elsewhere), 'other-worker', 'PX', MINUTES);

  const side = await startWorker(name);
  t.after(() => side.stop());
  await side.worker.start();
  assert.deepEqual(side.paused, [elsewhere], "the stored pause is in the worker's gates once it started");
  const told = side.log.find(sharedFor(elsewhere));
  assert.ok(told?.type === 'host-pause-shared' && told.from === 'other-worker', JSON.stringify(side.log));

  const monitored = new Redis(redis.url);
  const monitor = await monitored.monitor();
  t.after(async () => {
    monitor.disconnect();
    await monitored.quit();
  });

  // Every Redis command between two markers (MONITOR reports them in the order Redis ran them).
  const commands: string[][] = [];
  let between = false;
  let markerSeen = (): void => undefined;
  const marker = new Promise<void>((resolve) => (markerSeen = resolve));
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args[0]?.toLowerCase() === 'echo' && args[1] === 'pause-view-begin') between = true;
    else if (args[0]?.toLowerCase() === 'echo' && args[1] === 'pause-view-end') {
      between = false;
      markerSeen();
    } else if (between) commands.push(args);
  });
  await probe.echo('pause-view-begin');
  const queue = new CopyQueue({ url: redis.url, name, stalledSeconds: 30 }, () => undefined);
  t.after(() => queue.close());
  await queue.ready();
  for (const repo of ['first', 'second'])
    assert.equal(
      (await queue.copy(target.host, { source: `${source.host}/library/app:v1`, target: `${target.host}/${repo}/app:v1` })).status,
      'copied',
    );
  await probe.echo('pause-view-end');
  await marker;
  assert.ok(commands.length > 0, 'the monitor saw the copies');
  const pauseCommands = commands.filter((args) => args.some((a) => a.includes(':host-pause:')));
  assert.deepEqual(pauseCommands, [], 'no pause lookup per copy');
  assert.deepEqual(side.paused, [elsewhere]);
});

// A bound, not a clock: without the load on reconnection the missed pause is never told, and the test fails here.
const RECONNECTED_WITHIN = { timeout: 120_000 };

test(
  'a pause another worker announces holds here; one stored while this worker was cut off from Redis is loaded when it reconnects',
  RECONNECTED_WITHIN,
  async (t) => {
    const { redis } = rig;
    const name = 'pause-later';
    const probe = new Redis(redis.url);
    t.after(() => probe.quit());
    const side = await startWorker(name);
    t.after(() => side.stop());
    await side.worker.start();
    assert.equal(side.paused.length, 0, 'no pause stored yet');

    const announced = 'registry-two.example:5000';
    await probe.set(hostPauseKey({ name }, announced), 'other-worker', 'PX', MINUTES);
    await probe.publish(hostPauseChannel({ name }), JSON.stringify({ host: announced, waitMs: MINUTES, worker: 'other-worker' }));
    await side.waitFor(sharedFor(announced));
    assert.deepEqual(side.paused, [announced]);

    // Stored without an announcement this worker could hear: as one made while its subscription was down.
    const missed = 'registry-three.example:5000';
    await probe.set(hostPauseKey({ name }, missed), 'other-worker', 'PX', MINUTES);
    await probe.client('KILL', 'TYPE', 'pubsub');
    await side.waitFor(sharedFor(missed));
    assert.ok(side.paused.includes(missed), JSON.stringify(side.paused));
  },
);
