/** A log line of `sync` or `picture-book worker` (pino JSON: `time` is when the line was written, ISO). */
export interface QueueLogLine {
  event?: string;
  job?: unknown;
  time?: unknown;
  [key: string]: unknown;
}

/** The time one copy job spent in the queue's own mechanism, not in its copy (ms to the microsecond, one machine's clock). */
export interface JobOverhead {
  job: string;
  /** From `sync` adding the job to a worker taking it. */
  pickupMs: number;
  /** From the copy's end to its result ready to go, carrying the events not yet stored as progress (worker's `progressWaitMs`). */
  progressMs: number;
  /** From the worker ending the job to `sync` receiving its result. */
  resultMs: number;
  totalMs: number;
}

/** One worker's log lines (of one run) and how many jobs it runs at once (its `--concurrency`). */
export interface WorkerLog {
  lines: readonly QueueLogLine[];
  slots: number;
}

/**
 * Per job, the queue's share of its time, from the logs alone: `copy-job-result-seen` of the
 * `sync` (when it added the job, when it received the end) and `copy-job-taken` / `copy-job-ended`
 * of the workers. Only jobs taken once and seen ended count (a retried job's time is not the queue's).
 *
 * The pickup counts only the time a job waited while its worker had a free slot: a run of more
 * jobs than the workers have slots queues most of them behind running copies, and that wait is the
 * copies' time, not the queue's. So a job's pickup starts at the later of its add and the moment its
 * worker last had room (a copy ended while every slot was busy, or the run began).
 */
export function jobOverheads(syncLines: readonly QueueLogLine[], workers: readonly WorkerLog[]): JobOverhead[] {
  const taken = new Map<string, Array<{ at: number; roomSince: number }>>();
  const ended = new Map<string, { at: number; progressMs: number }>();
  for (const worker of workers) {
    let running = 0;
    let roomSince = Number.NEGATIVE_INFINITY;
    // A copy's end frees its slot before a take of the same millisecond can use it.
    const lines = worker.lines
      .filter((l) => l.event === 'copy-job-taken' || l.event === 'copy-job-ended')
      .map((line, order) => ({ line, order, at: timeOf(line) }))
      .sort((a, b) => a.at - b.at || rank(a.line) - rank(b.line) || a.order - b.order);
    for (const { line, at } of lines) {
      const job = String(line.job);
      if (line.event === 'copy-job-ended') {
        if (running === worker.slots) roomSince = at;
        running = Math.max(0, running - 1);
        ended.set(job, { at, progressMs: Number(line.progressWaitMs) });
      } else {
        taken.set(job, [...(taken.get(job) ?? []), { at, roomSince }]);
        running++;
      }
    }
  }
  const overheads: JobOverhead[] = [];
  for (const line of syncLines) {
    if (line.event !== 'copy-job-result-seen') continue;
    const job = String(line.job);
    const takes = taken.get(job);
    const end = ended.get(job);
    if (takes?.length !== 1 || end === undefined) continue;
    const take = takes[0] as { at: number; roomSince: number };
    const pickupMs = take.at - Math.max(Number(line.queuedAt), take.roomSince);
    const resultMs = timeOf(line) - end.at;
    overheads.push({ job, pickupMs, progressMs: end.progressMs, resultMs, totalMs: pickupMs + end.progressMs + resultMs });
  }
  return overheads;
}

/**
 * How many jobs a worker runs at once, from its `worker-ready` line (`concurrency`). Without it the
 * pickups could not be counted from a free slot, so a missing or odd line is an error, not a NaN.
 */
export function slotsOf(lines: readonly QueueLogLine[], who: string): number {
  const ready = lines.find((l) => l.event === 'worker-ready');
  if (ready === undefined) throw new Error(`${who} logged no worker-ready line: its slots (concurrency) are unknown`);
  const slots = Number(ready.concurrency);
  if (!Number.isInteger(slots) || slots < 1)
    throw new Error(`${who}'s worker-ready line says concurrency ${JSON.stringify(ready.concurrency)}: not a number of slots`);
  return slots;
}

const rank = (line: QueueLogLine): number => (line.event === 'copy-job-ended' ? 0 : 1);

/**
 * When the line's event happened: its `preciseTime` (to the microsecond, src/queue/precise-clock.ts),
 * or, from a build before it, when the line was written (pino's `time`, to the millisecond: as large
 * as a hop between processes).
 */
function timeOf(line: QueueLogLine): number {
  if (typeof line.preciseTime === 'number') return line.preciseTime;
  const ms = typeof line.time === 'number' ? line.time : Date.parse(String(line.time));
  if (Number.isNaN(ms)) throw new Error(`a ${String(line.event)} line without a time: ${JSON.stringify(line)}`);
  return ms;
}
