/** What the queue side of `sync` and `picture-book worker` reports: Redis's reachability, jobs taken and lost. */
export type QueueEvent =
  /** Redis cannot be reached (or broke off): work waits, commands are retried with backoff until it answers. */
  | { type: 'queue-unreachable'; role: 'sync' | 'worker'; message: string; time: number }
  /** Redis answers again after an outage. */
  | { type: 'queue-reachable'; role: 'sync' | 'worker'; time: number }
  /** A stopping worker could not reach Redis: it stopped without it; its `jobs` under way go to another worker once their locks lapse. */
  | { type: 'queue-abandoned'; role: 'worker' | 'sync'; jobs: number; time: number }
  /** `concurrency` copies at once; `prefetch` jobs more taken ahead, each waiting for a slot. */
  | { type: 'worker-ready'; worker: string; queue: string; concurrency: number; prefetch: number; time: number }
  | {
      type: 'copy-job-taken';
      worker: string;
      job: string;
      registry: string;
      source: string;
      target: string;
      attempt: number;
      /** How long the job, taken ahead, waited in this worker for a copy slot (ms; 0: a slot was free). */
      heldMs: number;
      /** When its copy starts (a slot is free), to the microsecond (precise-clock.ts): the queue's time per job is a few milliseconds. */
      preciseTime: number;
      time: number;
    }
  | {
      type: 'copy-job-ended';
      worker: string;
      job: string;
      registry: string;
      target: string;
      /** `set-aside`: its source host had no free slot; the job comes back later (no copy, no try counted). */
      status: 'copied' | 'skipped' | 'failed' | 'cancelled' | 'interrupted' | 'set-aside';
      /** From the copy's end to its result ready to go (it carries the events not yet stored as progress: about 0). */
      progressWaitMs: number;
      /** When the result is ready to go, to the microsecond (precise-clock.ts). */
      preciseTime: number;
      time: number;
    }
  /**
   * A worker handed back a job it had taken ahead and not started: it stops, or the job waited
   * `HOLD_LIMIT_MS` for a copy slot (`held`). Another worker takes it (no try counted).
   */
  | { type: 'copy-job-returned'; worker: string; job: string; target: string; why: 'held' | 'stopping'; time: number }
  /** The `sync` side received a job's end (`queuedAt`: when it added the job), from its event or a lookup; both to the microsecond (precise-clock.ts). */
  | { type: 'copy-job-result-seen'; job: string; registry: string; target: string; queuedAt: number; preciseTime: number; time: number }
  /** Another worker is writing the same image to the same tag: this one waits for it, then finds the target up to date. */
  | { type: 'copy-job-waiting'; worker: string; job: string; registry: string; target: string; digest: string; time: number }
  /** `source`'s host has all its `limit` slots taken by other copies (`queue.sourceCopies`): this copy waits for one. */
  | { type: 'host-slot-waiting'; worker: string; job: string; host: string; limit: number; target: string; time: number }
  /** Worker `from` got a 429 from `host`: this worker's requests to it wait `waitMs` too. */
  | { type: 'host-pause-shared'; worker: string; host: string; waitMs: number; from: string; time: number }
  /** Redis no longer has a job it had (restarted without its data): the job is added again, the copy being idempotent. */
  | { type: 'copy-job-lost'; job: string; registry: string; target: string; time: number }
  /** The worker holding a copy stopped answering (killed, cut off): the job goes back to the queue for another. */
  | { type: 'copy-job-stalled'; job: string; registry: string; target: string; time: number };

export type QueueEventListener = (event: QueueEvent) => void;
