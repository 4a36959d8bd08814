import { errorMessage } from '../errors/index.js';
import type { RegistryOutcome } from '../load/run-outcome.js';

/** Outcome of a run that threw instead of reporting (a bug, or the runner could not start). */
export function thrownOutcome(registry: string, startedAt: number, error: unknown): RegistryOutcome {
  const message = errorMessage(error);
  return {
    registry,
    ok: false,
    copied: 0,
    upToDate: 0,
    failed: 0,
    cancelled: 0,
    bytes: 0,
    startedAt,
    durationMs: 0,
    scriptError: message,
    invalidLines: [],
    selectionProblems: [],
    images: [],
    referrers: { copied: 0, present: 0, failed: 0 },
  };
}

/** Why a run as a whole failed, beyond its per-image failures, in one line. */
export function runError(outcome: RegistryOutcome): string | undefined {
  if (outcome.scriptError) return outcome.scriptError;
  const invalid = outcome.invalidLines.length;
  const errors = outcome.selectionProblems.filter((p) => p.severity === 'error');
  const reasons = [
    ...(invalid > 0 ? [`${invalid} invalid line(s) from the syncer script`] : []),
    // The first says what kind of problem it is; the history keeps one line.
    ...(errors.length > 0 ? [`${errors.length} selection error(s), the first: ${errors[0]?.message ?? ''}`] : []),
  ];
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
