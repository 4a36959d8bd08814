import { setTimeout as sleep } from 'node:timers/promises';
import type { Synchronizer } from './synchronizer.js';

/** How long `action=run` waits for the shared schedule (Redis) to give this server the run. */
const CLAIM_WAIT_MS = 10_000;

export type RunRequest = { started: true; waiting?: true } | { started: false; reason: 'running' | 'paused' | 'stopped' | 'elsewhere' };

/**
 * A run asked for through the API. With servers sharing the schedules (a queue), it is answered once
 * this server holds the registry's run: another server running it answers `elsewhere` (nothing was
 * started here). Redis not answering within CLAIM_WAIT_MS: `waiting`, the run starts once it does.
 */
export async function requestRun(
  sync: Synchronizer,
  options: { pruneConfirm?: boolean } = {},
  waitMs = CLAIM_WAIT_MS,
): Promise<RunRequest> {
  let taken: (yes: boolean) => void = () => undefined;
  const claimed = new Promise<boolean>((resolve) => (taken = resolve));
  const started = sync.runNow({ ...options, claimed: (yes) => taken(yes) });
  if (!started.started) return started;
  const answer = await Promise.race([claimed, sleep(waitMs, 'waiting' as const, { ref: false })]);
  if (answer === 'waiting') return { started: true, waiting: true };
  return answer ? { started: true } : { started: false, reason: 'elsewhere' };
}
