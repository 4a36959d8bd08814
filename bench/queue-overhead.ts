/** A log line of `sync` or `picture-book worker` (pino JSON: `time` is when the line was written, ISO). */
export interface QueueLogLine {
  event?: string;
  job?: unknown;
  time?: unknown;
  [key: string]: unknown;
}

/** The time one copy job spent in the queue's own mechanism, not in its copy (ms, one machine's clock). */
export interface JobOverhead {
  job: string;
  /** From `sync` adding the job to a worker taking it. */
  pickupMs: number;
  /** From the copy's end to its last progress update stored in Redis (worker's `progressWaitMs`). */
  progressMs: number;
  /** From the worker ending the job to `sync` receiving its result. */
  resultMs: number;
  totalMs: number;
}

/**
 * Per job, the queue's share of its time, from the logs alone: `copy-job-result-seen` of the
 * `sync` (when it added the job, when it received the end) and `copy-job-taken` / `copy-job-ended`
 * of the workers. Only jobs taken once and seen ended count (a retried job's time is not the queue's).
 */
export function jobOverheads(syncLines: readonly QueueLogLine[], workerLines: readonly QueueLogLine[]): JobOverhead[] {
  const taken = new Map<string, number[]>();
  const ended = new Map<string, { at: number; progressMs: number }>();
  for (const line of workerLines) {
    const job = String(line.job);
    if (line.event === 'copy-job-taken') taken.set(job, [...(taken.get(job) ?? []), timeOf(line)]);
    if (line.event === 'copy-job-ended') ended.set(job, { at: timeOf(line), progressMs: Number(line.progressWaitMs) });
  }
  const overheads: JobOverhead[] = [];
  for (const line of syncLines) {
    if (line.event !== 'copy-job-result-seen') continue;
    const job = String(line.job);
    const takes = taken.get(job);
    const end = ended.get(job);
    if (takes?.length !== 1 || end === undefined) continue;
    const pickupMs = (takes[0] as number) - Number(line.queuedAt);
    const resultMs = timeOf(line) - end.at;
    overheads.push({ job, pickupMs, progressMs: end.progressMs, resultMs, totalMs: pickupMs + end.progressMs + resultMs });
  }
  return overheads;
}

function timeOf(line: QueueLogLine): number {
  const ms = typeof line.time === 'number' ? line.time : Date.parse(String(line.time));
  if (Number.isNaN(ms)) throw new Error(`a ${String(line.event)} line without a time: ${JSON.stringify(line)}`);
  return ms;
}
