import type { ServerEvent } from '../sync-service.js';
import type { LiveRunView } from './live-run.js';
import { LiveRuns } from './live-runs.js';
import { TickWatch } from './overdue.js';

/** What changed since the previous message: the page fetches those views again. */
export interface FeedChanges {
  /** A registry's state, schedule or last run (the overview). */
  overview: boolean;
  /** Registries whose run history changed. */
  registries: string[];
  /** Distribute jobs. */
  jobs: boolean;
}

export interface FeedMessage {
  time: number;
  /** The first message: every registry's live run. Then those going on and those that changed. */
  runs: LiveRunView[];
  changed: FeedChanges;
}

export type FeedListener = (message: FeedMessage) => void;

/** Events after which the overview reads differently; those naming a registry also change its history. */
const OVERVIEW_CHANGES = new Set<ServerEvent['type']>([
  'sync-scheduled',
  'sync-run-started',
  'sync-run-finished',
  'sync-tick-skipped',
  'sync-paused',
  'sync-resumed',
  'sync-removed',
  'config-reloaded',
  'interrupted-runs-closed',
  'history-pruned',
  'work-not-resumed',
]);
const JOB_CHANGES = new Set<ServerEvent['type']>([
  'job-queued',
  'job-started',
  'job-target-finished',
  'job-finished',
  'job-requeued',
  'jobs-recovered',
  'history-pruned',
]);

const noChanges = (): FeedChanges => ({ overview: false, registries: [], jobs: false });

export interface DashboardFeedOptions {
  now?: () => number;
  /** How often listeners hear of changes (and, while a run goes on, of its rate). */
  intervalMs?: number;
}

/**
 * The dashboard's live side, fed with every event of the sync server: the runs going on, when each
 * schedule last ticked, and what changed. Listeners (the live stream's clients) get one message per
 * interval while something changed or a run goes on, the same message for all.
 */
export class DashboardFeed {
  readonly runs = new LiveRuns();
  readonly ticks = new TickWatch();
  #now: () => number;
  #intervalMs: number;
  #listeners = new Set<FeedListener>();
  #changes = noChanges();
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: DashboardFeedOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? 500;
  }

  observe(event: ServerEvent): void {
    this.runs.apply(event);
    this.ticks.apply(event);
    if (OVERVIEW_CHANGES.has(event.type)) {
      this.#changes.overview = true;
      if ('registry' in event && !this.#changes.registries.includes(event.registry)) this.#changes.registries.push(event.registry);
    }
    if (JOB_CHANGES.has(event.type)) this.#changes.jobs = true;
    this.#dirty = true;
  }

  /** Hears the current state at once, then every change; returns the unsubscribe. */
  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    listener({ time: this.#now(), runs: this.runs.views(this.#now()), changed: noChanges() });
    this.#timer ??= setInterval(() => this.flush(), this.#intervalMs).unref();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopTimer();
    };
  }

  /** Sends what changed (the timer calls it; tests too). */
  flush(): void {
    if (!this.#dirty && !this.runs.active) return;
    const now = this.#now();
    const changed = this.#changes;
    const runs = this.runs.views(now).filter((run) => run.phase !== 'done' || changed.registries.includes(run.registry));
    const message: FeedMessage = { time: now, runs, changed };
    this.#changes = noChanges();
    this.#dirty = false;
    for (const listener of this.#listeners) listener(message);
  }

  close(): void {
    this.#listeners.clear();
    this.#stopTimer();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
