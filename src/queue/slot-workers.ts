import { Worker, type Job, type WorkerOptions } from 'bullmq';

/**
 * BullMQ's `drainDelay` of each slot: how long its wait for a job in an empty queue lasts before
 * it waits again (BullMQ's default: 5 s). A slot paused while it waits still takes the next job
 * that comes before its wait ends (BullMQ does not cut the wait short), so this bounds how long a
 * slot paused as not needed (slot-balance.ts) stays in Redis's line of waiting workers, ahead of
 * other workers' free slots. Each wait that ends empty costs the slot two commands.
 */
export const SLOT_WAIT_SECONDS = 1;

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
  /** Slots told to take no job (`pause`), or never started. */
  #paused = new Set<number>();
  #closing = false;

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
        drainDelay: SLOT_WAIT_SECONDS,
        autorun: false,
        ...(slot > 0 ? { skipStalledCheck: true } : {}),
      });
      worker.on('error', onError);
      return worker;
    });
  }

  /** Connects every slot and starts the first `taking` taking jobs (the others wait for `resume`). */
  async start(taking = this.workers.length): Promise<void> {
    this.workers.forEach((worker, slot) => {
      if (slot < taking) void worker.run();
      else this.#paused.add(slot);
    });
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /**
   * Slot `slot` takes no job after the one it has (BullMQ's pause of one worker, not waiting for
   * that job). One blocked waiting for a job when paused still takes the next that comes before
   * its wait ends (BullMQ does not interrupt it: `drainDelay` bounds it). Slot 0's stalled-job look
   * pauses with it: the other workers' looks go on.
   */
  async pause(slot: number): Promise<void> {
    if (this.#paused.has(slot)) return;
    this.#paused.add(slot);
    await this.workers[slot]?.pause(true);
  }

  /** Slot `slot` takes jobs (again). */
  resume(slot: number): void {
    const worker = this.workers[slot];
    if (!this.#paused.delete(slot) || !worker || this.#closing) return;
    void worker.resume();
    // BullMQ wakes a loop still running, not one past its last turn whose end is still on its way
    // (microtasks, no I/O): such a loop ends anyway, paused no more but not taking. Started again.
    setImmediate(() => {
      if (!this.#paused.has(slot) && !this.#closing && !worker.isRunning()) void worker.run().catch(() => undefined);
    });
  }

  /** Takes no more jobs; resolves when the running ones ended (BullMQ's `close`). */
  async close(): Promise<void> {
    this.#closing = true;
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
