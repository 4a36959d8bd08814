import { setMaxListeners } from 'node:events';
import type { RegistryConfig } from '../config/index.js';
import type { RunTrigger } from '../store/index.js';
import { claimedRun, type ClaimedRunDeps } from './claimed-run.js';
import { recordedRun, reportStoreFailure, type RecordedRunDeps, type StartedRun } from './recorded-run.js';
import type { Ticker, TickerFactory } from './ticker.js';
import { withinGrace } from '../copy/grace-period.js';

/** `unscheduled`: the registry has no syncPeriod; it runs only on start and on demand. */
export type SynchronizerState = 'scheduled' | 'unscheduled' | 'running' | 'paused' | 'stopped';

/** The store, runner and events of its runs, their claims when shared, and its tickers. */
export interface SynchronizerDeps extends RecordedRunDeps, ClaimedRunDeps {
  tickers: TickerFactory;
}

interface CurrentRun {
  /** Aborts the copies under way. */
  controller: AbortController;
  /** A stop has begun: no further image starts (those copying get the grace period). */
  drain: AbortController;
  done: Promise<void>;
}

/**
 * The continuous sync of one configured registry: runs it on every tick of its cron schedule,
 * never two runs at once (an overlapping tick is skipped and counted), pauses by aborting the
 * running run (the engine writes manifests last, so an aborted copy never tags missing content).
 */
export class Synchronizer {
  #registry: RegistryConfig;
  #timezone: string;
  #deps: SynchronizerDeps;
  #ticker: Ticker | undefined;
  #paused: boolean;
  #stopped = false;
  #current: CurrentRun | undefined;
  #skippedTicks = 0;

  constructor(registry: RegistryConfig, timezone: string, paused: boolean, deps: SynchronizerDeps) {
    this.#registry = registry;
    this.#timezone = timezone;
    this.#paused = paused;
    this.#deps = deps;
  }

  get hostname(): string {
    return this.#registry.hostname;
  }

  get registry(): RegistryConfig {
    return this.#registry;
  }

  get timezone(): string {
    return this.#timezone;
  }

  get state(): SynchronizerState {
    if (this.#current) return 'running';
    if (this.#stopped) return 'stopped';
    if (this.#paused) return 'paused';
    return this.#registry.syncPeriod === undefined ? 'unscheduled' : 'scheduled';
  }

  get paused(): boolean {
    return this.#paused;
  }

  get skippedTicks(): number {
    return this.#skippedTicks;
  }

  nextRun(): Date | null {
    return this.#ticker?.nextRun() ?? null;
  }

  /** Starts ticking (unless paused) and, when asked, a first run at once. */
  start(runOnStart: boolean): void {
    if (this.#paused) return;
    this.#schedule();
    if (runOnStart) this.#begin('start');
  }

  /** A tick of the schedule planned for `scheduledAt` (croner calls it; tests call it directly). */
  tick(scheduledAt?: number): void {
    if (this.#paused || this.#stopped) return;
    if (this.#current) {
      this.#skippedTicks++;
      this.#deps.emit({ type: 'sync-tick-skipped', registry: this.hostname, skippedTicks: this.#skippedTicks, time: this.#deps.now() });
      return;
    }
    this.#begin('schedule', scheduledAt);
  }

  /** Starts a run now, unless one is going or the registry is paused; `pruneConfirm` lifts its prune guards. */
  /** `claimed`: told whether this server took the run (servers sharing the schedules; see run-request.ts). */
  runNow(
    options: { pruneConfirm?: boolean; claimed?: (taken: boolean) => void } = {},
  ): { started: true } | { started: false; reason: 'running' | 'paused' | 'stopped' } {
    if (this.#stopped) return { started: false, reason: 'stopped' };
    if (this.#current) return { started: false, reason: 'running' };
    if (this.#paused) return { started: false, reason: 'paused' };
    this.#begin('manual', undefined, options.pruneConfirm === true, options.claimed);
    return { started: true };
  }

  /** Stops future runs and cancels a running one; resolves once it has ended. Persisted. */
  async pause(): Promise<void> {
    const wasPaused = this.#paused;
    this.#paused = true;
    this.#unschedule();
    const running = this.#current;
    running?.drain.abort();
    running?.controller.abort();
    if (!wasPaused) await this.#persistPause(true);
    await running?.done;
    if (!wasPaused)
      this.#deps.emit({ type: 'sync-paused', registry: this.hostname, cancelledRun: running !== undefined, time: this.#deps.now() });
  }

  /** Schedules again; answers the next run time. Persisted. */
  async resume(): Promise<Date | null> {
    if (this.#paused && !this.#stopped) {
      this.#paused = false;
      await this.#persistPause(false);
      this.#schedule();
      this.#deps.emit({
        type: 'sync-resumed',
        registry: this.hostname,
        nextRun: this.nextRun()?.getTime() ?? null,
        time: this.#deps.now(),
      });
    }
    return this.nextRun();
  }

  /** A reloaded configuration: later runs use it; the ticker is replaced when the timing changed. */
  update(registry: RegistryConfig, timezone: string): void {
    const timingChanged = registry.syncPeriod !== this.#registry.syncPeriod || timezone !== this.#timezone;
    this.#registry = registry;
    this.#timezone = timezone;
    if (timingChanged && !this.#paused && !this.#stopped) this.#schedule();
  }

  /**
   * No more runs. A running one starts no further image; the images it is copying get `graceMs`
   * to finish, then are aborted. Resolves once the run has ended either way.
   */
  async stop(graceMs: number, hurry?: AbortSignal): Promise<void> {
    this.#stopped = true;
    this.#unschedule();
    const running = this.#current;
    if (!running) return;
    running.drain.abort();
    if (await withinGrace(running.done, graceMs, hurry)) return;
    running.controller.abort();
    await running.done;
  }

  /** Resolves when no run is going (immediately when idle). */
  async idle(): Promise<void> {
    while (this.#current) await this.#current.done;
  }

  #schedule(): void {
    this.#unschedule();
    const schedule = this.#registry.syncPeriod;
    if (schedule === undefined) return;
    this.#ticker = this.#deps.tickers(schedule, this.#timezone, (scheduledAt) => this.tick(scheduledAt));
    this.#deps.emit({
      type: 'sync-scheduled',
      registry: this.hostname,
      schedule,
      nextRun: this.nextRun()?.getTime() ?? null,
      time: this.#deps.now(),
    });
  }

  #unschedule(): void {
    this.#ticker?.stop();
    this.#ticker = undefined;
  }

  /** Marks the run as going synchronously, so a tick right after it is already skipped. */
  #begin(trigger: RunTrigger, scheduledAt?: number, pruneConfirm = false, claimed?: (taken: boolean) => void): void {
    const controller = new AbortController();
    const drain = new AbortController();
    // Every request of the run listens on these: far more than Node's default of 10 (MaxListenersExceededWarning).
    setMaxListeners(0, controller.signal, drain.signal);
    const current: CurrentRun = { controller, drain, done: Promise.resolve() };
    this.#current = current;
    const started: StartedRun = { trigger, scheduledAt, signal: controller.signal, drain: drain.signal, pruneConfirm, claimed };
    // The registry as it is when the run goes (after the claim): a reload meanwhile applies.
    const run = () => recordedRun(this.#registry, started, this.#deps);
    current.done = claimedRun(this.hostname, started, this.#deps, run).finally(() => {
      if (this.#current === current) this.#current = undefined;
    });
  }

  async #persistPause(paused: boolean): Promise<void> {
    await this.#deps.store
      .setPaused(this.hostname, paused, this.#deps.now())
      .catch((error: unknown) => reportStoreFailure(this.#deps, this.hostname, error));
  }
}
