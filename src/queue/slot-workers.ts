import { Worker, type Job, type WorkerOptions } from 'bullmq';

/**
 * `concurrency` BullMQ workers of one job each, instead of one BullMQ worker running
 * `concurrency` jobs. BullMQ's worker takes the jobs it has room for one after another (a Redis
 * round trip each) and starts none but the first until it has taken them all or found the queue
 * empty: with a batch of jobs waiting, each one's start waited for every take of the batch, and
 * for whatever else the process's event loop was doing meanwhile (measured: 50 to 280 ms per job
 * on a loaded 2-core machine). A worker of one job starts it as soon as it has it. The price is
 * one Redis connection per slot, blocked waiting for jobs, when `connection` is an ioredis client:
 * BullMQ duplicates it for the blocking wait, and every slot's other commands go through the
 * client itself, shared by all (BullMQ leaves a client it was given open: its owner closes it). Only the first slot looks for
 * stalled jobs (one look per interval is enough; each slot renews the locks of its own job).
 */
export class SlotWorkers<Data, Result> {
  readonly workers: ReadonlyArray<Worker<Data, Result>>;

  constructor(
    queue: string,
    process: (job: Job<Data, Result>, token: string | undefined, slot: number) => Promise<Result>,
    options: Omit<WorkerOptions, 'concurrency' | 'autorun'> & { slots: number },
    onError: (error: Error) => void,
  ) {
    const { slots, ...shared } = options;
    this.workers = Array.from({ length: slots }, (_, slot) => {
      const worker = new Worker<Data, Result>(queue, (job, token) => process(job, token, slot), {
        ...shared,
        concurrency: 1,
        autorun: false,
        ...(slot > 0 ? { skipStalledCheck: true } : {}),
      });
      worker.on('error', onError);
      return worker;
    });
  }

  /** Starts every slot taking jobs; resolves once all are connected. */
  async start(): Promise<void> {
    for (const worker of this.workers) void worker.run();
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /**
   * Slot `slot` takes no job after the one it has (BullMQ's pause of one worker, not waiting for
   * that job). Slot 0's stalled-job look pauses with it: the other workers' looks go on.
   */
  async pause(slot: number): Promise<void> {
    await this.workers[slot]?.pause(true);
  }

  /** The slots paused take jobs again. */
  resume(): void {
    for (const worker of this.workers) if (worker.isPaused()) void worker.resume();
  }

  /** Takes no more jobs; resolves when the running ones ended (BullMQ's `close`). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }

  /**
   * Drops the slots' blocking connections at once, Redis reachable or not: what a `close` that
   * waits for an unreachable Redis leaves behind (the shared client is its owner's to drop).
   */
  disconnect(): void {
    for (const worker of this.workers) void worker.disconnect().catch(() => undefined);
  }
}
