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

/** How often the runs of the other servers sharing a queue are looked at while someone listens. */
const ELSEWHERE_EVERY_MS = 1_000;

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
  #elsewhere: (() => Promise<string[]>) | undefined;
  #elsewhereTimer: NodeJS.Timeout | undefined;
  #asking = false;

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

  /**
   * Several servers on one queue: `changed` tells the registries whose runs changed on the other
   * servers since it was last asked. It is asked every ELSEWHERE_EVERY_MS while someone listens
   * (one Redis read, none without listeners), and those registries' views are told changed, so
   * the dashboard reads their overview and history again (their live view stays their server's).
   */
  watchElsewhere(changed: () => Promise<string[]>): void {
    this.#elsewhere = changed;
  }

  /** Asks which registries changed on the other servers (the timer calls it; tests too). */
  async askElsewhere(): Promise<void> {
    if (!this.#elsewhere || this.#asking) return;
    this.#asking = true;
    try {
      // A failed question is asked again next time: the stream goes on either way.
      const registries = await this.#elsewhere().catch(() => []);
      if (registries.length === 0) return;
      this.#changes.overview = true;
      for (const registry of registries) if (!this.#changes.registries.includes(registry)) this.#changes.registries.push(registry);
      this.#dirty = true;
    } finally {
      this.#asking = false;
    }
  }

  /** Hears the current state at once, then every change; returns the unsubscribe. */
  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    listener({ time: this.#now(), runs: this.runs.views(this.#now()), changed: noChanges() });
    this.#timer ??= setInterval(() => this.flush(), this.#intervalMs).unref();
    if (this.#elsewhere) this.#elsewhereTimer ??= setInterval(() => void this.askElsewhere(), ELSEWHERE_EVERY_MS).unref();
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
    clearInterval(this.#elsewhereTimer);
    this.#elsewhereTimer = undefined;
  }
}
