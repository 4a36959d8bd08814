import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { CopyEngine, type CopyEvent, type CopyResult } from '../../src/copy/index.js';
import { CopyQueue, CopyWorker } from '../../src/queue/index.js';
import { resultChannel } from '../../src/queue/queue-names.js';
import { parseResultMessage, type ResultMessage } from '../../src/queue/result-message.js';
import { makeTempDir } from '../harness/procs.js';
import { pushImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useQueueRig } from './queue-kit.js';
import { until, writeConfig } from './sync-kit.js';

/*
 * A copy job's result goes from its worker straight to `sync` as a message, besides BullMQ's
 * completed event (finish script, stream entry, stream reader): `sync` applies it at once when it
 * has applied every event stored before it, and only then. Real redis-server, registries, engine,
 * worker and queue; the worker in this process, so the test sees what its engine emitted.
 */

const rig = useQueueRig('queue-result-message', async ({ source }) => {
  await pushImage(ociImage, source, 'library/app:v1');
});

type Emit = (this: QueueEvents, event: string | symbol, ...args: unknown[]) => boolean;

/** Replaces what `sync`'s stream reader passes on (BullMQ's events) for one test. */
function interceptStream(
  t: { after: (fn: () => void) => void },
  intercept: (emit: () => boolean, event: string | symbol) => boolean,
): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = QueueEvents.prototype.emit as Emit;
  QueueEvents.prototype.emit = function (this: QueueEvents, event: string | symbol, ...args: unknown[]) {
    return intercept(() => original.call(this, event, ...args), event);
  };
  t.after(() => {
    QueueEvents.prototype.emit = original;
  });
}

/** One copy through the queue by a worker of one slot whose every event goes as its own progress update; the messages published. */
async function queuedCopy(
  name: string,
): Promise<{ emitted: CopyEvent[]; received: CopyEvent[]; result: CopyResult; messages: ResultMessage[] }> {
  const { redis, source, target } = rig;
  const file = await writeConfig(await makeTempDir(`queue-result-message-${name}`), {
    registries: [{ hostname: target.host, images: [`${source.host}/library/app:v1`] }],
  });
  const { config } = await loadConfig(file);
  const emitted: CopyEvent[] = [];
  const engine = new CopyEngine();
  const settings = { url: redis.url, name, stalledSeconds: 30 };
  const worker = new CopyWorker({
    settings,
    config: () => config,
    engine: { copy: (task, options) => engine.copy(task, { ...options, onEvent: (e) => (emitted.push(e), options?.onEvent?.(e)) }) },
    concurrency: 1,
    emit: () => undefined,
    progressGapMs: 0,
  });
  // The lookup of followed jobs would find the end too: not within this test.
  const queue = new CopyQueue(settings, () => undefined, { checkEveryMs: 3_600_000 });
  const listener = new Redis(redis.url);
  const messages: ResultMessage[] = [];
  listener.on('message', (_channel: string, text: string) => {
    const message = parseResultMessage(text);
    if (message) messages.push(message);
  });
  try {
    await Promise.all([worker.start(), queue.ready(), listener.subscribe(resultChannel(settings))]);
    const received: CopyEvent[] = [];
    const copy = queue.copy(
      target.host,
      { source: `${source.host}/library/app:v1`, target: `${target.host}/${name}/app:v1` },
      {
        onEvent: (event) => received.push(event),
      },
    );
    // A copy that never ends for sync fails the test instead of hanging it; once the copy won, the timer does nothing.
    let timer: NodeJS.Timeout | undefined;
    const never = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the copy never ended for sync')), 60_000);
    });
    const result = await Promise.race([copy, never]).finally(() => clearTimeout(timer));
    await until(() => messages.length > 0 || undefined, 'the result message', 10_000);
    return { emitted, received, result, messages };
  } finally {
    listener.disconnect();
    await queue.close();
    await worker.stop(0);
    await engine.close();
  }
}

test("the copy ends for sync by the worker's message alone: BullMQ's completed event never reaches it", async (t) => {
  let completedDropped = 0;
  interceptStream(t, (emit, event) => (event === 'completed' ? (completedDropped++, true) : emit()));
  const { emitted, received, result, messages } = await queuedCopy('message-alone');
  assert.equal(result.status, 'copied');
  assert.ok(emitted.length > 3, `the copy emitted its events: ${emitted.length}`);
  assert.deepEqual(received, emitted, 'every event, once, in the order the worker emitted them');
  assert.equal(messages.length, 1);
  assert.equal(messages[0]?.result.status, 'done');
  assert.ok(completedDropped <= 1, `at most the one completed event, dropped: ${completedDropped}`);
});

test('a message that overtakes stored progress still in the stream waits for it: every event once, in order, before the end', async (t) => {
  // The stream reader passes on no progress until the completed event: the message comes first.
  const held: Array<() => boolean> = [];
  let completedSeen = false;
  interceptStream(t, (emit, event) => {
    if (event === 'progress' && !completedSeen) return (held.push(emit), true);
    if (event === 'completed') {
      completedSeen = true;
      for (const release of held.splice(0)) release();
    }
    return emit();
  });
  const { emitted, received, result, messages } = await queuedCopy('message-waits');
  assert.equal(result.status, 'copied');
  assert.ok((messages[0]?.stored ?? 0) > 0, `progress was stored before the end: ${messages[0]?.stored}`);
  assert.deepEqual(received, emitted, 'every event, once, in the order the worker emitted them');
});
