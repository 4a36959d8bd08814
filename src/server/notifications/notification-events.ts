import { randomUUID } from 'node:crypto';
import type { SynchronizerState } from '../../scheduler/index.js';
import { isOverdue, tickAfter, TickWatch } from '../dashboard/overdue.js';
import { describeServerEvent } from '../describe-server-event.js';
import type { ServerEvent } from '../sync-service.js';
import { MAX_LISTED_IMAGES, type Notification } from './notification.js';

type RunResult = 'succeeded' | 'failed' | 'cancelled';
type ImageFailure = NonNullable<Notification['image']>;
type PruneReport = NonNullable<Notification['prune']>;

/** A registry's schedule as the overdue check needs it. */
export interface ScheduleView {
  hostname: string;
  state: SynchronizerState;
  schedule: string | undefined;
  timezone: string;
}

function base(event: Notification['event'], registry: string, time: number, message: string) {
  return { event, id: randomUUID(), time: new Date(time).toISOString(), registry, message: `${registry}: ${message}` };
}

/**
 * Turns the server's events into notifications: a run that finished (failed, or succeeded after a
 * failure), a failed image, a tick that started no run, a host paused for its quota, tags a run
 * pruned. Keeps what that takes: each registry's failed images and pruned tags during its run, its
 * previous result, its last tick.
 */
export class NotificationEvents {
  #failures = new Map<string, { listed: ImageFailure[] }>();
  #prunes = new Map<string, PruneReport>();
  #previous = new Map<string, RunResult>();
  #ticks = new TickWatch();
  /** The tick mark an overdue notification was sent for, per registry: one per missed tick. */
  #overdueSent = new Map<string, number>();

  /** The notifications an event makes (none for most). */
  observe(event: ServerEvent): Notification[] {
    this.#ticks.apply(event);
    switch (event.type) {
      case 'sync-run-started':
        this.#failures.set(event.registry, { listed: [] });
        this.#prunes.delete(event.registry);
        return [];
      case 'prune':
        if (event.action === 'deleted' || event.action === 'failed') this.#pruned(event, event.action);
        return [];
      case 'image-failed': {
        const image = { source: event.source, target: event.target, code: event.error.code, message: event.error.message };
        const failures = this.#failures.get(event.registry);
        if (failures && failures.listed.length < MAX_LISTED_IMAGES) failures.listed.push(image);
        return [{ ...base('image-failed', event.registry, event.time, describeServerEvent(event)), image }];
      }
      case 'sync-run-finished':
        return this.#runFinished(event);
      case 'sync-tick-skipped':
        return [
          {
            ...base('schedule-missed', event.registry, event.time, describeServerEvent(event)),
            schedule: { pattern: null, reason: 'run-still-going', skippedTicks: event.skippedTicks, expectedTick: null },
          },
        ];
      case 'host-paused':
        if (event.reason !== 'quota') return [];
        return [
          {
            ...base('quota-paused', event.host, event.time, describeServerEvent(event).replace(`${event.host}: `, '')),
            quota: {
              host: event.host,
              remaining: event.remaining,
              limit: event.limit ?? null,
              windowSeconds: event.windowSeconds ?? null,
              reserve: event.reserve,
            },
          },
        ];
      case 'sync-removed':
        this.#previous.delete(event.registry);
        this.#failures.delete(event.registry);
        this.#prunes.delete(event.registry);
        this.#overdueSent.delete(event.registry);
        return [];
      default:
        return [];
    }
  }

  /** A tag the registry's run deleted (or failed to): counted, and listed up to the cap. */
  #pruned(event: Extract<ServerEvent, { type: 'prune' }>, action: 'deleted' | 'failed'): void {
    const report = this.#prunes.get(event.registry) ?? { deleted: 0, failed: 0, tags: [] };
    report[action]++;
    if (report.tags.length < MAX_LISTED_IMAGES) {
      report.tags.push({ rule: event.rule, target: event.target, digest: event.digest, action, reason: event.reason });
    }
    this.#prunes.set(event.registry, report);
  }

  #runFinished(event: Extract<ServerEvent, { type: 'sync-run-finished' }>): Notification[] {
    const previous = this.#previous.get(event.registry) ?? null;
    this.#previous.set(event.registry, event.result);
    const failedImages = this.#failures.get(event.registry)?.listed ?? [];
    this.#failures.delete(event.registry);
    const run = {
      id: event.runId ?? null,
      trigger: event.trigger,
      result: event.result,
      durationMs: event.durationMs,
      copied: event.copied,
      upToDate: event.upToDate,
      failed: event.failed,
      cancelled: event.cancelled,
      skipped: event.skipped ?? 0,
      bytes: event.bytes,
      error: event.error ?? null,
      failedImages,
      previousResult: previous,
    };
    const message = describeServerEvent(event);
    const out: Notification[] = [{ ...base('run-finished', event.registry, event.time, message), run }];
    if (event.result === 'failed') out.push({ ...base('run-failed', event.registry, event.time, message), run });
    if (event.result === 'succeeded' && previous === 'failed') {
      out.push({ ...base('run-recovered', event.registry, event.time, `${message} (the previous run failed)`), run });
    }
    const prune = this.#prunes.get(event.registry);
    this.#prunes.delete(event.registry);
    if (prune) {
      const failed = prune.failed > 0 ? `, ${prune.failed} could not be deleted` : '';
      out.push({ ...base('prune-done', event.registry, event.time, `pruned ${prune.deleted} tag(s)${failed}`), prune });
    }
    return out;
  }

  /**
   * Schedules whose expected tick is over a minute late with no run going (the process was
   * suspended, the timer lost): one schedule-missed per missed tick.
   */
  overdue(schedules: readonly ScheduleView[], now: number): Notification[] {
    const out: Notification[] = [];
    for (const { hostname, state, schedule, timezone } of schedules) {
      const mark = this.#ticks.lastMark(hostname);
      if (schedule === undefined || mark === undefined || this.#overdueSent.get(hostname) === mark) continue;
      const expected = state === 'scheduled' ? tickAfter(schedule, timezone, mark) : null;
      if (expected === null || !isOverdue(state, expected, now)) continue;
      this.#overdueSent.set(hostname, mark);
      const due = new Date(expected).toISOString();
      out.push({
        ...base('schedule-missed', hostname, now, `the tick due at ${due} ("${schedule}") did not come`),
        schedule: { pattern: schedule, reason: 'overdue', skippedTicks: null, expectedTick: due },
      });
    }
    return out;
  }
}
