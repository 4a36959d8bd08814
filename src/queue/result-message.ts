import type { CopyJobResult } from './copy-job.js';

/**
 * A copy job's result as its worker publishes it to `sync` (besides returning it to BullMQ). The
 * completed event goes the slow way, through BullMQ's finish script, a stream entry and `sync`'s
 * stream reader; the message goes at once, on the worker's connection before that script. `stored`:
 * how many of the attempt's events were known stored as progress when the copy ended (the result's
 * `trailing` events follow them), so `sync` applies the message only when it has applied all those;
 * otherwise some are still on their way in the stream, and the completed event comes after them.
 */
export interface ResultMessage {
  job: string;
  attempt: number;
  stored: number;
  result: CopyJobResult;
}

/** The message read back; undefined for anything else (an older worker, a stray publisher). */
export function parseResultMessage(text: string): ResultMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { job, attempt, stored, result } = value as Record<keyof ResultMessage, unknown>;
  if (typeof job !== 'string' || typeof attempt !== 'number' || typeof stored !== 'number') return undefined;
  if (typeof result !== 'object' || result === null || typeof (result as { status?: unknown }).status !== 'string') return undefined;
  return { job, attempt, stored, result: result as CopyJobResult };
}
