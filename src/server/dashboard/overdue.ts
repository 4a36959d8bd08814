import { Cron } from 'croner';
import type { SynchronizerState } from '../../scheduler/index.js';
import type { RunSummary } from '../../store/index.js';
import type { ServerEvent } from '../sync-service.js';

/** A tick this late (the process was suspended, the event loop blocked, the timer lost) makes a schedule overdue. */
export const OVERDUE_AFTER_MS = 60_000;

/**
 * Events that show a registry's schedule was set or ticked: the next tick is due after them. A
 * scheduled run and a tick skipped because a run was still going are both ticks.
 */
function tickMark(event: ServerEvent): string | undefined {
  // A tick another server sharing the queue took is a tick too.
  if (event.type === 'sync-scheduled' || event.type === 'sync-tick-skipped' || event.type === 'sync-run-elsewhere') return event.registry;
  if (event.type === 'sync-run-started' && event.trigger === 'schedule') return event.registry;
  return undefined;
}

/** When each registry's schedule last showed it was alive (set, or ticked). */
export class TickWatch {
  #marks = new Map<string, number>();

  apply(event: ServerEvent): void {
    const registry = tickMark(event);
    if (registry !== undefined) this.#marks.set(registry, event.time);
    if (event.type === 'sync-removed') this.#marks.delete(event.registry);
  }

  lastMark(registry: string): number | undefined {
    return this.#marks.get(registry);
  }
}

/** The first tick of `pattern` (in `timezone`) after `after`: when the schedule owes its next tick. */
export function tickAfter(pattern: string, timezone: string, after: number): number | null {
  return new Cron(pattern.trim(), { timezone }).nextRun(new Date(after))?.getTime() ?? null;
}

/**
 * Overdue: a registry on its schedule whose tick was due more than OVERDUE_AFTER_MS ago and has not
 * come. A running or paused registry is never overdue (a tick during a run is skipped and counted).
 */
export function isOverdue(state: SynchronizerState, expectedTick: number | null, now: number): boolean {
  return state === 'scheduled' && expectedTick !== null && now > expectedTick + OVERDUE_AFTER_MS;
}

/** How many of the newest runs failed in a row (a running one is passed over). */
export function failedStreak(newestFirst: ReadonlyArray<Pick<RunSummary, 'result'>>): number {
  let streak = 0;
  for (const run of newestFirst) {
    if (run.result === 'running') continue;
    if (run.result !== 'failed') break;
    streak++;
  }
  return streak;
}
