import { dirname } from 'node:path';
import { loadavg } from 'node:os';
import type { SyncProcess } from '../test/e2e/sync-kit.js';
import { until } from '../test/e2e/sync-kit.js';
import type { RecordedRequest, TestRegistry } from '../test/harness/index.js';
import { childCpu, cpuByRole, probeReports, type ProbeFigures } from './process-figures.js';
import { jobOverheads, slotsOf, type JobOverhead } from './queue-overhead.js';
import { round } from './series.js';
import { assertMirrored } from './target-check.js';
import type { RunTarget, RunTargets } from './run-targets.js';
import { SyncServers } from './sync-servers.js';

export interface QueueSample {
  /** The run's own duration (`sync-run-finished`'s durationMs): listing, checks, copies; no process start-up. */
  runMs: number;
  load1: number;
  /** Queued runs: each job's time in the queue mechanism, from the sync and worker logs. */
  jobs?: JobOverhead[];
  /**
   * CPU time each process used during the run, ms: `sync` from its run's start to its end
   * (process-probe.ts), the others from just before the run was fired to just after it ended (/proc).
   */
  cpuMs: Record<string, number>;
  /** Event-loop delay (process-probe.ts) of `sync` over its run and of each worker over the run. */
  loopDelayMs: { sync: ProbeFigures['loopDelayMs']; workers: Array<ProbeFigures['loopDelayMs']> };
}

/** One run's shape: queued or not, its images. */
export interface RunShape {
  queued: boolean;
  paths: readonly string[];
  concurrency: object;
}

/** The repository every run writes to: each target registry gets one run (or one up-to-date pair). */
const REPOSITORY = 'mirror';

/**
 * Runs of the scale-out row against one rig: each into a target registry of its own that no worker
 * has seen (run-targets.ts), fired in a long-running `sync` server (sync-servers.ts), checked,
 * timed by its own events, with the queue's time per job, the CPU of every process and the
 * event-loop delay of the node ones.
 */
export class QueueRuns {
  #servers: SyncServers;

  constructor(
    private readonly rig: { source: TestRegistry; targets: RunTargets; redisUrl: string },
    timeoutMs: number,
  ) {
    this.#servers = new SyncServers({
      hosts: rig.targets.hosts,
      redisUrl: rig.redisUrl,
      timeoutMs,
      entry: (host, paths) => this.registryTo(host, REPOSITORY, paths),
    });
  }

  /** The registries entry of a run: every image of `paths` from the source into `host/repository`. */
  registryTo(host: string, repository: string, paths: readonly string[]) {
    return { hostname: host, repository, images: paths.map((p) => `${this.rig.source.host}/${p}`) };
  }

  /** One run into the next unused target (`counted`: one behind a counting proxy; its requests come back with the sample). */
  async run(shape: RunShape, workers: readonly SyncProcess[], counted = false): Promise<QueueSample & { requests?: RecordedRequest[] }> {
    const target = this.rig.targets.take(counted);
    try {
      const sample = await this.#run(shape, target, workers);
      return { ...sample, ...(target.counter ? { requests: [...target.counter.requests] } : {}) };
    } finally {
      await this.rig.targets.done(target);
    }
  }

  /**
   * A run that finds every image already at its target, as most runs of a periodic mirror do: the
   * images are copied first by an in-process run (not measured), then `shape` runs into the same
   * repository of the same target.
   */
  async runUpToDate(shape: RunShape, workers: readonly SyncProcess[]): Promise<QueueSample> {
    const target = this.rig.targets.take(false);
    try {
      await this.#run({ ...shape, queued: false }, target, []);
      return await this.#run(shape, target, workers);
    } finally {
      await this.rig.targets.done(target);
    }
  }

  /** Stops the row's `sync` servers. */
  async close(): Promise<void> {
    await this.#servers.stopAll();
  }

  async #run(shape: RunShape, target: RunTarget, workers: readonly SyncProcess[]): Promise<QueueSample> {
    const what = `the ${shape.queued ? 'queued' : 'in-process'} run`;
    const linesBefore = workers.map((w) => w.logs.length);
    await Promise.all(workers.map((w) => probe(w)));
    const cpuBefore = childCpu();
    const run = await this.#servers.run(shape, target.host, what);
    const cpuAfter = childCpu();
    const workerReports = await Promise.all(workers.map((w) => probe(w)));
    await assertMirrored(target.registry.url, shape.paths, shape.queued ? 'sync --queue' : 'sync', REPOSITORY);
    const cpuMs = { sync: run.probe.cpuMs, ...cpuByRole(cpuBefore, cpuAfter, (args) => this.#roleOf(args, target.registry)) };
    const sample: QueueSample = {
      runMs: Number(run.finished.durationMs),
      load1: round(loadavg()[0] ?? 0, 2),
      cpuMs,
      loopDelayMs: { sync: run.probe.loopDelayMs, workers: workerReports.map((r) => r.loopDelayMs) },
    };
    if (shape.queued)
      sample.jobs = jobOverheads(
        run.logs,
        workers.map((w, i) => ({ lines: w.logs.slice(linesBefore[i]), slots: slotsOf(w.logs, `worker ${i + 1} (pid ${w.pid})`) })),
      );
    return sample;
  }

  /** A child process's role by its command line; the other runs' idle target registries are left out. */
  #roleOf(args: string, target: TestRegistry): string | undefined {
    if (args.startsWith('redis-server')) return 'redis';
    if (args.includes(dirname(this.rig.source.rootDir))) return 'source registry';
    if (args.includes(dirname(target.rootDir))) return 'target registry';
    if (/ worker( |$)/.test(args)) return 'workers';
    return undefined;
  }
}

/** Asks a worker's probe for its figures since the last ask (SIGUSR2) and waits for them. */
async function probe(worker: SyncProcess): Promise<ProbeFigures> {
  const before = probeReports(worker.stderr).length;
  worker.signal('SIGUSR2');
  return until(() => probeReports(worker.stderr)[before], `the probe report of worker pid ${worker.pid}`, 10_000);
}
