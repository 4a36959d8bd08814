import { Limiter } from '../copy/index.js';
import { loadRegistry } from './registry-load.js';
import { planOnly, type LoadRunOptions } from './load-run-options.js';
import { RunCredentials } from './run-credentials.js';
import { SourceGroups } from './source-groups.js';
import { referrersFound } from './run-counts.js';
import { totalOutcome, type RunOutcome } from './run-outcome.js';

/** Tag listings in flight at once across a run's registries (each a GET of a small JSON page). */
export const LISTING_CONCURRENCY = 8;

/**
 * One load of several registries, all at once through one shared engine: each registry's image
 * list is produced, mapped to target references and copied (or planned, on a dry run). A failing
 * script or image is reported and the rest carries on. Each copy's events come back through its
 * own listener and are filed under the registry that asked for it.
 */
export async function runLoad(options: LoadRunOptions): Promise<RunOutcome> {
  const startedAt = Date.now();
  const dryRun = planOnly(options);
  const { emit } = options;
  emit({ type: 'run-started', registries: options.registries.map((r) => r.hostname), dryRun, time: Date.now() });
  const listings = new Limiter(LISTING_CONCURRENCY);
  // Credential helpers are asked once per run (each sync run asks again: their tokens may be short-lived).
  const copyGroup = options.engine.copyGroup?.bind(options.engine);
  const groups = options.groupSources && !dryRun && copyGroup ? new SourceGroups(options.registries.length, copyGroup) : undefined;
  const run = { ...options, credentials: options.credentials ?? new RunCredentials(), groups };
  const outcomes = await Promise.all(options.registries.map((registry) => loadRegistry(registry, run, listings)));
  const total = totalOutcome(outcomes, startedAt, dryRun);
  const { copied, upToDate, failed, cancelled, skipped, scriptFailures, invalidLines, selectionErrors, bytes, durationMs, ok } = total;
  emit({
    type: 'run-finished',
    copied,
    upToDate,
    failed,
    cancelled,
    ...(skipped ? { skipped } : {}),
    scriptFailures,
    invalidLines,
    selectionErrors,
    bytes,
    durationMs,
    ok,
    ...referrersFound(total.referrers),
    time: Date.now(),
  });
  return total;
}
