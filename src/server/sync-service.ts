import type { FastifyInstance } from 'fastify';
import { loadConfig, type PictureBookConfig } from '../config/index.js';
import { CopyEngine } from '../copy/index.js';
import { timeoutsFromSettings } from '../transport/index.js';
import { ConfigError, errorMessage } from '../errors/index.js';
import {
  loadRunner,
  Scheduler,
  type CopiesElsewhere,
  type RegistryRunner,
  type SchedulerEvent,
  type TickerFactory,
} from '../scheduler/index.js';
import { CopyQueue, ScheduleClaims, SharedRuns, SharedRunStore, type QueueEvent, type QueueSettingsWithUrl } from '../queue/index.js';
import { isLayoutPlace } from '../reference/index.js';
import { SqliteRunStore, type RunStore } from '../store/index.js';
import type { LoadEvent } from '../load/events.js';
import { apiExposureWarning } from './api-exposure.js';
import { buildApp } from './app.js';
import { diffConfig } from './config-diff.js';
import { DashboardFeed } from './dashboard/live-feed.js';
import { addressPolicy } from './distribute/address-policy.js';
import { DistributeJobs, type DistributeJobsOptions } from './distribute/distribute-jobs.js';
import { queueKey } from '../queue/queue-key.js';
import { SyncMetrics } from './metrics/sync-metrics.js';
import { Notifier } from './notifications/notifier.js';
import type { ServiceEvent } from './service-events.js';
import { publishRunProgress } from './run-progress.js';
import { settingsNeedingRestart } from './restart-settings.js';
import { listenError } from './listen-error.js';
import { QueueStop, readyUnlessStopped } from './stop-without-redis.js';
import { joinAsNamed, syncServerName } from './server-name.js';

export type ServerEvent = ServiceEvent | SchedulerEvent | LoadEvent | QueueEvent;

export interface SyncServiceOptions {
  emit: (event: ServerEvent) => void;
  /** Tests replace the cron timing, the runs, or the store. */
  tickers?: TickerFactory;
  runner?: RegistryRunner;
  store?: RunStore;
  /** Copies go to workers through this queue (default: `queue:` of the config when it has a url; else in-process). */
  queue?: QueueSettingsWithUrl;
  /** Aborted by a stop asked while the start waits for Redis: nothing more starts (the caller then stops the service). */
  stopping?: AbortSignal;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

/**
 * `picture-book sync` as a library: the store, one copy engine, the scheduler, distribute jobs
 * and (when enabled) the HTTP API, started and stopped together.
 */
export class SyncService {
  #config: PictureBookConfig;
  #emit: (event: ServerEvent) => void;
  #store: RunStore;
  #engine: CopyEngine;
  #queue: CopyQueue | undefined;
  #scheduler: Scheduler;
  #jobs: DistributeJobs;
  #metrics: SyncMetrics;
  #dashboard = new DashboardFeed();
  #notifier: Notifier;
  #app: FastifyInstance | undefined;
  #url: string | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #stopProgress: (() => void) | undefined;
  #reloads: Promise<unknown> = Promise.resolve();
  #ready = false;

  private constructor(config: PictureBookConfig, options: SyncServiceOptions) {
    this.#config = config;
    this.#store = options.store ?? SqliteRunStore.open(config.state.path);
    this.#engine = new CopyEngine({
      imageConcurrency: config.concurrency.images,
      blobConcurrency: config.concurrency.blobs,
      timeouts: timeoutsFromSettings(config.timeouts),
    });
    this.#metrics = new SyncMetrics({
      synchronizerStates: () => this.#scheduler.list().map((s) => ({ registry: s.hostname, state: s.state })),
      jobCounts: () => this.#store.jobCounts(),
      ...(options.queue || config.queue?.url ? { queueReachable: () => this.#queue?.reachable ?? false } : {}),
    });
    this.#notifier = new Notifier({
      settings: () => this.#config.notifications,
      schedules: () =>
        this.#scheduler
          .list()
          .map((s) => ({ hostname: s.hostname, state: s.state, schedule: s.registry.syncPeriod, timezone: s.timezone })),
      emit: (event) => this.#emit(event),
    });
    this.#emit = (event) => {
      this.#metrics.observe(event);
      this.#dashboard.observe(event);
      // Only queued: a receiver never holds the run or job whose event this is.
      this.#notifier.observe(event);
      options.emit(event);
    };
    // A host's quota and pauses concern every run and job at once: logged and counted once.
    this.#engine.onHostEvent((event) => this.#emit(event));
    const queueSettings = options.queue ?? (config.queue?.url ? { ...config.queue, url: config.queue.url } : undefined);
    let copies: CopiesElsewhere | undefined;
    let claims: ScheduleClaims | undefined;
    let distributeQueue: DistributeJobsOptions['queue'];
    if (queueSettings) {
      // Read first: a missing key file stops the start before any connection is opened.
      const key = queueKey(queueSettings, config.file, process.env);
      const queue = new CopyQueue(queueSettings, (event) => this.#emit(event));
      this.#queue = queue;
      distributeQueue = { copyJob: (data, run) => queue.copyJob(data, run), key };
      // A layout target is a directory or file of this machine: its copies stay here.
      copies = (registry) => (isLayoutPlace(registry.hostname) ? undefined : (task, run) => queue.copy(registry.hostname, task, run));
      claims = new ScheduleClaims(queue.redis, queueSettings);
      // Several servers on one queue: the API of each shows the runs of all.
      // Named by host and state path: a restarted server knows its earlier runs as its own.
      const shared = new SharedRunStore(this.#store, new SharedRuns(queue.redis, queueSettings), syncServerName(config.state.path));
      this.#store = shared;
      this.#dashboard.watchElsewhere(() => shared.changedElsewhere());
    }
    const runner = options.runner ?? loadRunner(this.#engine, copies, this.#store.ownership);
    this.#scheduler = new Scheduler({
      store: this.#store,
      runner,
      ...(claims ? { claims } : {}),
      emit: this.#emit,
      ...(options.tickers ? { tickers: options.tickers } : {}),
    });
    this.#jobs = new DistributeJobs({
      store: this.#store,
      engine: this.#engine,
      emit: this.#emit,
      addressPolicy: () => addressPolicy(this.#config.api.distributeAllowedNetworks),
      ...(distributeQueue ? { queue: distributeQueue } : {}),
    });
  }

  /** Opens the history, closes runs a dead process left open, recovers jobs, schedules, listens. */
  static async start(config: PictureBookConfig, options: SyncServiceOptions): Promise<SyncService> {
    if (config.api.enabled && config.api.enableAuth && config.api.authToken.trim() === '') {
      throw new ConfigError([
        { file: config.file, line: 0, column: 0, path: 'api.authToken', message: 'enableAuth is true but authToken is empty' },
      ]);
    }
    const service = new SyncService(config, options);
    try {
      await service.#startUp(options.stopping);
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  get config(): PictureBookConfig {
    return this.#config;
  }

  get scheduler(): Scheduler {
    return this.#scheduler;
  }

  get store(): RunStore {
    return this.#store;
  }

  /** Where the API listens (`http://host:port`), when it is enabled. */
  get url(): string | undefined {
    return this.#url;
  }

  async #startUp(stopping: AbortSignal | undefined): Promise<void> {
    // The API's address first: a port already taken fails the start before any run, job or write.
    await this.#listen();
    // Jobs are followed from their first event once the queue's event reader is connected (Redis down: it waits).
    if (this.#queue) await readyUnlessStopped(this.#queue, stopping);
    if (stopping?.aborted) return;
    if (this.#store instanceof SharedRunStore && this.#queue) {
      await joinAsNamed(this.#store, { file: this.#config.file, queueName: this.#queue.settings.name }, this.#emit);
      this.#stopProgress = publishRunProgress(this.#dashboard.runs, this.#store);
    }
    const now = Date.now();
    const interrupted = await this.#store.closeInterruptedRuns(now);
    if (interrupted.runs > 0) this.#emit({ type: 'interrupted-runs-closed', runs: interrupted.runs, time: now });
    for (const { registry, runId, crashes } of interrupted.notResumed)
      this.#emit({ type: 'work-not-resumed', kind: 'run', registry, runId, crashes, time: now });
    await this.#prune();
    this.#pruneTimer = setInterval(() => void this.#prune(), PRUNE_EVERY_MS).unref();
    // A registry whose runs keep dying with the process gets no run at start; its schedule goes on.
    await this.#scheduler.start(this.#config.registries, this.#config.sync, new Set(interrupted.notResumed.map((r) => r.registry)));
    await this.#jobs.recover();
    this.#ready = true;
    if (this.#url) this.#emit({ type: 'api-listening', url: this.#url, auth: this.#config.api.enableAuth, time: Date.now() });
  }

  /** Binds the API (when enabled); until the start-up is done it answers 503, /healthz and /livez aside. */
  async #listen(): Promise<void> {
    const { api } = this.#config;
    if (!api.enabled) return;
    const store = this.#store;
    const exposure = apiExposureWarning(api);
    if (exposure) this.#emit({ type: 'server-warning', message: exposure, time: Date.now() });
    this.#app = buildApp({
      config: () => this.#config,
      scheduler: this.#scheduler,
      store: this.#store,
      jobs: this.#jobs,
      metrics: this.#metrics,
      dashboard: this.#dashboard,
      emit: this.#emit,
      starting: () => !this.#ready,
      ...(this.#queue ? { queueReachable: () => this.#queue?.reachable ?? false } : {}),
      ...(store instanceof SharedRunStore ? { serverNameLost: () => store.nameLost } : {}),
    });
    try {
      this.#url = await this.#app.listen({ host: api.host, port: api.port });
    } catch (error) {
      throw listenError(error, api, this.#config.file);
    }
  }

  /**
   * Reads the config file again. A broken file is rejected with its problems and the running
   * configuration stays; otherwise registries are added, removed or updated in place.
   */
  reload(): Promise<boolean> {
    const next = this.#reloads.then(() => this.#reload());
    this.#reloads = next.catch(() => undefined);
    return next;
  }

  async #reload(): Promise<boolean> {
    const file = this.#config.file;
    try {
      const { config } = await loadConfig(file);
      const summary = await this.#scheduler.reload(config.registries, config.sync);
      for (const setting of settingsNeedingRestart(this.#config, config)) {
        this.#emit({ type: 'server-warning', message: `${setting} changed: it takes effect after a restart`, time: Date.now() });
      }
      const diff = diffConfig(this.#config, config);
      this.#config = config;
      this.#emit({ type: 'config-reloaded', file, kept: summary.kept, ...diff, time: Date.now() });
      return true;
    } catch (error) {
      const problems =
        error instanceof ConfigError
          ? error.problems.map(({ line, path, message }) => ({ line, path, message }))
          : [{ line: 0, path: '', message: errorMessage(error) }];
      this.#emit({ type: 'config-rejected', file, problems, time: Date.now() });
      return false;
    }
  }

  /**
   * Stops scheduling and listening; running runs and jobs get the grace period, then are
   * aborted (interrupted jobs go back to the queue for the next start); at once when `hurry` aborts.
   * Redis unreachable then, it stops without it ('abandoned', stop-without-redis.ts): the runs
   * end with their queued copies cancelled and are recorded here.
   */
  async stop(hurry?: AbortSignal): Promise<'closed' | 'abandoned'> {
    const graceMs = this.#config.sync.gracePeriodSeconds * 1000;
    this.#emit({ type: 'server-stopping', graceMs, time: Date.now() });
    clearInterval(this.#pruneTimer);
    this.#stopProgress?.();
    const work = Promise.all([this.#app?.close(), this.#scheduler.stop(graceMs, hurry), this.#jobs.stop(graceMs, hurry)]);
    const queueStop =
      this.#queue &&
      new QueueStop(this.#queue, work, { graceMs, hurry }, (jobs) =>
        this.#emit({ type: 'queue-abandoned', role: 'sync', jobs, time: Date.now() }),
      );
    await work;
    await this.#reloads;
    // The last runs' notifications get one attempt's time, never more.
    const webhooks = this.#config.notifications?.webhooks ?? [];
    await this.#notifier.stop(Math.max(0, ...webhooks.map((w) => w.timeoutSeconds * 1000)));
    const store = this.#store;
    const how = queueStop
      ? await queueStop.close(async () => {
          if (store instanceof SharedRunStore) await store.leave();
        })
      : 'closed';
    await this.#engine.close();
    this.#dashboard.close();
    await this.#store.close();
    this.#emit({ type: 'server-stopped', time: Date.now() });
    return how;
  }

  async #prune(): Promise<void> {
    const now = Date.now();
    const pruned = await this.#store.prune(now - this.#config.state.retentionDays * DAY_MS);
    if (pruned.runs + pruned.jobs > 0) this.#emit({ type: 'history-pruned', ...pruned, time: now });
  }
}
