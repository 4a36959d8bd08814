import type { CopyEventListener, CopyTask, TagListings } from '../copy/index.js';
import { CancelledError, errorInfo } from '../errors/index.js';
import type { LoadRunOptions } from './load-run-options.js';
import { plannedStatus } from './run-counts.js';
import type { ImageOutcome } from './run-outcome.js';
import type { SourceGroups } from './source-groups.js';

/**
 * One image's attempt in a load run: cancelled if its turn came after the stop began, failed if
 * its credentials could not be had, else planned (dry run) or copied, alone or with the other
 * targets of its source (`groups`). Its events are filed under `registry`.
 */
export async function copyOrPlan(
  unready: CopyTask,
  withEndpoints: (task: CopyTask) => Promise<CopyTask>,
  options: LoadRunOptions,
  registry: string,
  tagListings: TagListings,
  groups?: SourceGroups,
): Promise<ImageOutcome> {
  const base = { source: unready.source, target: unready.target };
  const written: Array<{ digest: string; subject: string }> = [];
  const onEvent: CopyEventListener = (event) => {
    if (event.type === 'referrer-copied') written.push({ digest: event.digest, subject: event.subject });
    options.emit({ ...event, registry });
  };
  if (options.signal?.aborted || options.drain?.aborted) {
    // Its turn came after the stop began: it is not started at all.
    groups?.withdraw(unready);
    options.emit({ type: 'image-cancelled', registry, ...base, started: false, time: Date.now() });
    return { ...base, status: 'cancelled', bytes: 0 };
  }
  let task: CopyTask;
  try {
    task = await withEndpoints(unready);
  } catch (error) {
    // A credential helper failed: this image fails as the engine fails one, before any request.
    groups?.withdraw(unready);
    const info = errorInfo(error);
    if (options.dryRun)
      options.emit({ type: 'image-planned', registry, ...base, action: 'error', message: info.message, time: Date.now() });
    else options.emit({ type: 'image-failed', registry, ...base, error: { code: info.code, message: info.message }, time: Date.now() });
    return { ...base, status: 'failed', bytes: 0, error: info };
  }
  if (options.dryRun) {
    try {
      const plan = await options.engine.plan(task, { onEvent, tagListings });
      const referrers = plan.referrers && Object.keys(plan.referrers).length > 0 ? { referrers: plan.referrers } : {};
      const note = plan.note ? { note: plan.note } : {};
      options.emit({ type: 'image-planned', registry, ...base, action: plan.action, ...note, ...referrers, time: Date.now() });
      return { ...base, status: plannedStatus(plan.action), digest: plan.digest, bytes: 0, ...note };
    } catch (error) {
      const info = errorInfo(error);
      options.emit({ type: 'image-planned', registry, ...base, action: 'error', message: info.message, time: Date.now() });
      return { ...base, status: 'failed', bytes: 0, error: info };
    }
  }
  try {
    const { signal, drain } = options;
    const run = { ...(signal ? { signal } : {}), ...(drain ? { drain } : {}), onEvent, tagListings };
    const result = await (groups ? groups.copy({ task, run }) : options.engine.copy(task, run));
    if (result.status === 'platform-skipped') return { ...base, status: 'skipped', digest: result.digest, bytes: 0, note: result.note };
    const status = result.status === 'skipped' ? 'up-to-date' : 'copied';
    const referrers = result.referrers ? { referrers: result.referrers } : {};
    return {
      ...base,
      status,
      digest: result.digest,
      bytes: result.bytes,
      ...referrers,
      ...(written.length > 0 ? { referrersWritten: written } : {}),
    };
  } catch (error) {
    // The engine already emitted image-failed (or image-cancelled) with the reason.
    if (error instanceof CancelledError) return { ...base, status: 'cancelled', bytes: 0 };
    return { ...base, status: 'failed', bytes: 0, error: errorInfo(error) };
  }
}
