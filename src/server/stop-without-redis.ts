import { withinGrace } from '../copy/grace-period.js';

/** The queue as a starting or stopping server sees it (copy-queue.ts). */
export interface AbandonableQueue {
  ready(): Promise<void>;
  unreachable(): Promise<void>;
  abandon(): number;
  close(): Promise<void>;
}

/**
 * Waits for the queue's Redis at start, or for `stopping`: a stop asked while Redis cannot be
 * reached is not kept waiting for it (the caller stops the server then; its stop abandons the queue).
 */
export async function readyUnlessStopped(queue: AbandonableQueue, stopping: AbortSignal | undefined): Promise<void> {
  if (!stopping) return queue.ready();
  if (stopping.aborted) return;
  let onStop: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => {
    onStop = () => resolve();
    stopping.addEventListener('abort', onStop, { once: true });
  });
  // The ready's failure once the stop began is the stop's doing (it drops the connections).
  const ready = queue.ready();
  ready.catch(() => undefined);
  try {
    await Promise.race([ready, stopped]);
  } finally {
    if (onStop) stopping.removeEventListener('abort', onStop);
  }
}

/**
 * A stopping server's guard against an unreachable Redis: once its `work` (runs and jobs) ended or
 * the grace is over (or `hurry` came), Redis unreachable then or lost before `stopped` resolves,
 * the queue is abandoned: its copies end cancelled, its connections are dropped, and every wait
 * for Redis of the stop (a job withdrawn, a run published, the queue's close) fails at once
 * instead of lasting for ever. `onAbandon` hears how many jobs were followed. Resolves true when
 * it abandoned the queue.
 */
export async function abandonWithoutRedis(
  queue: AbandonableQueue,
  stop: { work: Promise<unknown>; stopped: Promise<void> },
  grace: { graceMs: number; hurry: AbortSignal | undefined },
  onAbandon: (jobs: number) => void,
): Promise<boolean> {
  // The work's failure is the stop's to report.
  await withinGrace(
    stop.work.catch(() => undefined),
    grace.graceMs,
    grace.hurry,
  );
  const lost = await Promise.race([stop.stopped.then(() => false), queue.unreachable().then(() => true)]);
  if (lost) onAbandon(queue.abandon());
  return lost;
}

/**
 * The queue's part of a server's stop, begun with the stop (its `work`: the runs and jobs ending)
 * and ended by `close`: abandoned if Redis cannot be reached once the work ended or the grace is
 * over (abandonWithoutRedis), closed otherwise.
 */
export class QueueStop {
  #queue: AbandonableQueue;
  #abandoned: Promise<boolean>;
  #stopped = (): void => undefined;
  /** Set (at once) when the queue is abandoned. */
  #gone = false;

  constructor(
    queue: AbandonableQueue,
    work: Promise<unknown>,
    grace: { graceMs: number; hurry: AbortSignal | undefined },
    onAbandon: (jobs: number) => void,
  ) {
    this.#queue = queue;
    const stopped = new Promise<void>((resolve) => (this.#stopped = resolve));
    this.#abandoned = abandonWithoutRedis(queue, { work, stopped }, grace, (jobs) => {
      this.#gone = true;
      onAbandon(jobs);
    });
  }

  /** `leave` (the server's goodbyes in Redis), then the queue's close; or neither, once abandoned. */
  async close(leave: () => Promise<void>): Promise<'closed' | 'abandoned'> {
    const leaving = (async () => {
      await leave();
      await this.#queue.close();
    })().catch((error: unknown) => {
      // Its connections dropped (abandoned): what waited for Redis failed, as it should.
      if (!this.#gone) throw error;
    });
    await Promise.race([leaving, this.#abandoned.then((gone) => (gone ? undefined : leaving))]);
    this.#stopped();
    return (await this.#abandoned) ? 'abandoned' : 'closed';
  }
}
