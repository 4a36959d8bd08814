import { makeTempDir } from '../test/harness/procs.js';
import { startWorker } from '../test/e2e/queue-kit.js';
import { writeConfig, type SyncProcess } from '../test/e2e/sync-kit.js';
import { probeEnv } from './process-figures.js';
import type { QueueRuns, QueueSample } from './queue-runs.js';
import type { RunTargets } from './run-targets.js';

/**
 * The scale-out row's workers and runs: the worker processes of the line being measured (started
 * and stopped by the line), and the kinds of runs each line makes of the corpus `paths`, with the
 * `sync` process's `concurrency`.
 */
export class QueueRowRig {
  readonly workers: SyncProcess[] = [];

  constructor(
    readonly runs: QueueRuns,
    private readonly setting: {
      targets: RunTargets;
      redisUrl: string;
      /** The directory the processes run in. */
      work: string;
      paths: readonly string[];
      concurrency: object;
    },
  ) {}

  /** `n` workers of `concurrency`; their entries name every run's target host (each job names its repository). */
  async startWorkers(n: number, concurrency: object): Promise<void> {
    const { targets, paths, work, redisUrl } = this.setting;
    const registries = targets.hosts.map((host) => this.runs.registryTo(host, 'mirror', paths));
    const config = await writeConfig(await makeTempDir('bench-queue-worker'), { registries, concurrency });
    for (let i = 0; i < n; i++) this.workers.push(await startWorker(config, { cwd: work, queue: redisUrl, env: probeEnv() }));
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.stop()));
  }

  /** The corpus into a new target, in-process or through the workers (`counted`: behind a counting proxy). */
  corpusRun(queued: boolean, counted = false): ReturnType<QueueRuns['run']> {
    return this.runs.run({ queued, paths: this.setting.paths, concurrency: this.setting.concurrency }, this.workers, counted);
  }

  /** A run that finds the corpus up to date (its target filled by an unmeasured in-process run first). */
  upToDateRun(queued: boolean): Promise<QueueSample> {
    return this.runs.runUpToDate({ queued, paths: this.setting.paths, concurrency: this.setting.concurrency }, this.workers);
  }

  /** `paths` at concurrency `concurrency`, through the workers. */
  queuedRun(paths: readonly string[], concurrency: object): ReturnType<QueueRuns['run']> {
    return this.runs.run({ queued: true, paths, concurrency }, this.workers);
  }
}
