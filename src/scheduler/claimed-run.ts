import { errorMessage } from '../errors/index.js';
import type { StartedRun } from './recorded-run.js';
import type { RunClaims } from './run-claims.js';
import type { SchedulerEventListener } from './scheduler-events.js';

export interface ClaimedRunDeps {
  /** Absent: this process is the only one running its registries. */
  claims?: RunClaims;
  emit: SchedulerEventListener;
  now: () => number;
}

/**
 * Calls `run` when this server holds the claim (always, alone) and releases it after; else says
 * another server has the run.
 */
export async function claimedRun(hostname: string, started: StartedRun, deps: ClaimedRunDeps, run: () => Promise<void>): Promise<void> {
  const { trigger, scheduledAt, signal, claimed = () => undefined } = started;
  const { claims, emit, now } = deps;
  if (!claims) {
    claimed(true);
    return run();
  }
  const claim = await claims.claim(hostname, trigger, scheduledAt, signal).catch((error: unknown) => {
    emit({
      type: 'warning',
      message: `${hostname}: no run: the shared schedule could not be read: ${errorMessage(error)}`,
      time: now(),
    });
    return null;
  });
  claimed(Boolean(claim));
  if (claim === null) return;
  if (!claim) {
    if (!signal.aborted) emit({ type: 'sync-run-elsewhere', registry: hostname, trigger, scheduledAt: scheduledAt ?? null, time: now() });
    return;
  }
  try {
    await run();
  } finally {
    await claim.release().catch(() => undefined);
  }
}
