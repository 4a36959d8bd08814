import { checkCron, type RegistryConfig } from '../config/index.js';
import type { RunStore } from '../store/index.js';
import type { RegistryRunner } from './registry-runner.js';
import type { RunClaims } from './run-claims.js';
import { ScheduleError } from './schedule-error.js';
import type { SchedulerEventListener } from './scheduler-events.js';
import { Synchronizer } from './synchronizer.js';
import { cronTicker, type TickerFactory } from './ticker.js';

export interface SchedulerOptions {
  store: RunStore;
  runner: RegistryRunner;
  /** Several `sync` servers share the schedules: each tick runs on one of them. */
  claims?: RunClaims;
  emit: SchedulerEventListener;
  /** Defaults to croner; tests fire ticks themselves. */
  tickers?: TickerFactory;
  now?: () => number;
}

export interface ScheduleSettings {
  /** IANA timezone the cron patterns are read in. */
  timezone: string;
  /** Start a first run of each (unpaused) registry at once instead of waiting for its first tick. */
  runOnStart: boolean;
}

export interface ReloadSummary {
  added: string[];
  removed: string[];
  kept: string[];
}

/**
 * One synchronizer per configured registry, keyed by hostname. Pause state comes from the store,
 * so a paused registry stays paused across restarts. A reload keeps the state (and any running
 * run) of registries that stay configured.
 */
export class Scheduler {
  #options: SchedulerOptions;
  #synchronizers = new Map<string, Synchronizer>();
  #stopping = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** `noFirstRun`: registries that get no run at start even with `runOnStart` (their runs kept crashing the process). */
  async start(
    registries: readonly RegistryConfig[],
    settings: ScheduleSettings,
    noFirstRun: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    Scheduler.validate(registries, settings.timezone);
    const paused = new Set(await this.#options.store.pausedRegistries());
    for (const registry of registries) {
      this.#add(registry, noFirstRun.has(registry.hostname) ? { ...settings, runOnStart: false } : settings, paused.has(registry.hostname));
    }
  }

  /**
   * Throws a ScheduleError naming every registry whose schedule cannot be used (the config
   * loader checks the same; this guards a scheduler handed registries from elsewhere).
   */
  static validate(registries: readonly RegistryConfig[], timezone: string): void {
    const problems = registries.flatMap((r) => {
      const message = r.syncPeriod === undefined ? undefined : checkCron(r.syncPeriod, timezone);
      return message ? [{ registry: r.hostname, message }] : [];
    });
    if (problems.length > 0) throw new ScheduleError(problems);
  }

  get(hostname: string): Synchronizer | undefined {
    return this.#synchronizers.get(hostname);
  }

  list(): Synchronizer[] {
    return [...this.#synchronizers.values()];
  }

  /**
   * Applies a new list of registries: removed ones are stopped (a running run is cancelled), new
   * ones start (with a first run when `runOnStart`), the others take the new settings. A schedule
   * that cannot be used rejects the whole reload before anything changes.
   */
  async reload(registries: readonly RegistryConfig[], settings: ScheduleSettings): Promise<ReloadSummary> {
    Scheduler.validate(registries, settings.timezone);
    const wanted = new Map(registries.map((r) => [r.hostname, r]));
    const summary: ReloadSummary = { added: [], removed: [], kept: [] };
    const removals: Array<Promise<void>> = [];
    for (const [hostname, synchronizer] of this.#synchronizers) {
      if (wanted.has(hostname)) continue;
      this.#synchronizers.delete(hostname);
      summary.removed.push(hostname);
      removals.push(synchronizer.stop(0));
      this.#options.emit({ type: 'sync-removed', registry: hostname, time: this.#now() });
    }
    const paused = new Set(await this.#options.store.pausedRegistries());
    for (const registry of registries) {
      const existing = this.#synchronizers.get(registry.hostname);
      if (existing) {
        existing.update(registry, settings.timezone);
        summary.kept.push(registry.hostname);
      } else {
        this.#add(registry, settings, paused.has(registry.hostname));
        summary.added.push(registry.hostname);
      }
    }
    await Promise.all(removals);
    return summary;
  }

  /** Stops every synchronizer: running runs get `graceMs` to finish, then are aborted. */
  async stop(graceMs: number, hurry?: AbortSignal): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.list().map((s) => s.stop(graceMs, hurry)));
  }

  #add(registry: RegistryConfig, settings: ScheduleSettings, paused: boolean): void {
    if (this.#stopping) return;
    const { store, runner, emit, claims } = this.#options;
    const synchronizer = new Synchronizer(registry, settings.timezone, paused, {
      store,
      runner,
      ...(claims ? { claims } : {}),
      emit,
      tickers: this.#options.tickers ?? cronTicker,
      now: () => this.#now(),
    });
    this.#synchronizers.set(registry.hostname, synchronizer);
    synchronizer.start(settings.runOnStart);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
