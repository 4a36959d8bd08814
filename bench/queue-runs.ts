import { dirname } from 'node:path';
import { loadavg } from 'node:os';
import type { SyncProcess } from '../test/e2e/sync-kit.js';
import { until } from '../test/e2e/sync-kit.js';
import type { RecordedRequest, TestRegistry } from '../test/harness/index.js';
import { syncRun } from './queue-warmup.js';
import { childCpu, cpuByRole, probeEnv, probeReports, type ProbeFigures } from './process-figures.js';
import { jobOverheads, slotsOf, type JobOverhead } from './queue-overhead.js';
import { round } from './series.js';
import { assertMirrored } from './target-check.js';
import type { RunTarget, RunTargets } from './run-targets.js';

export interface QueueSample {
  /** The run's own duration (`sync-run-finished`'s durationMs): listing, checks, copies; no process start-up. */
  runMs: number;
  load1: number;
  /** Queued runs: each job's time in the queue mechanism, from the sync and worker logs. */
  jobs?: JobOverhead[];
  /**
   * CPU time each process used during the run, ms: `sync` from its start to its exit (start-up
   * included), the others from just before the sync started to just after it exited (/proc).
   */
  cpuMs: Record<string, number>;
  /** Event-loop delay (process-probe.ts) of `sync` from its run's start to its exit and of each worker over the run. */
  loopDelayMs: { sync: ProbeFigures['loopDelayMs']; workers: Array<ProbeFigures['loopDelayMs']> };
}

/** One run's shape: queued or not, its images. */
export interface RunShape {
  queued: boolean;
  paths: readonly string[];
  concurrency: object;
}

/**
 * Runs of the scale-out row against one rig: each into a target registry of its own that no worker
 * has seen (run-targets.ts), checked, timed by its own events, with the queue's time per job, the
 * CPU of every process and the event-loop delay of the node ones.
 */
export class QueueRuns {
  #runs = 0;

  constructor(
    private readonly rig: { source: TestRegistry; targets: RunTargets; redisUrl: string },
    private readonly timeoutMs: number,
  ) {}

  /** The registries entry of a run: every image of `paths` from the source into `host/repository`. */
  registryTo(host: string, repository: string, paths: readonly string[]) {
    return { hostname: host, repository, images: paths.map((p) => `${this.rig.source.host}/${p}`) };
  }

  /** One run into the next unused target (`counted`: one behind a counting proxy; its requests come back with the sample). */
  async run(shape: RunShape, workers: readonly SyncProcess[], counted = false): Promise<QueueSample & { requests?: RecordedRequest[] }> {
    const target = this.rig.targets.take(counted);
    try {
      const sample = await this.#run(shape, target, workers, `mirror-${++this.#runs}`);
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
    const repository = `mirror-${++this.#runs}`;
    try {
      await this.#run({ ...shape, queued: false }, target, [], repository);
      return await this.#run(shape, target, workers, repository);
    } finally {
      await this.rig.targets.done(target);
    }
  }

  async #run(shape: RunShape, target: RunTarget, workers: readonly SyncProcess[], repository: string): Promise<QueueSample> {
    const what = `the ${shape.queued ? 'queued' : 'in-process'} run`;
    const linesBefore = workers.map((w) => w.logs.length);
    await Promise.all(workers.map((w) => probe(w)));
    const cpuBefore = childCpu();
    const extra = { concurrency: shape.concurrency, ...(shape.queued ? { queue: { url: this.rig.redisUrl } } : {}) };
    // The sync's probe reports at its run's start (then its start-up is behind it) and at its exit.
    const run = await syncRun([this.registryTo(target.host, repository, shape.paths)], extra, this.timeoutMs, what, probeEnv(), (s) =>
      s.signal('SIGUSR2'),
    );
    const cpuAfter = childCpu();
    const workerReports = await Promise.all(workers.map((w) => probe(w)));
    const syncReport = await until(
      () => probeReports(run.server.stderr).find((r) => r.why === 'exit'),
      "the sync's probe report at its exit",
      10_000,
    );
    const syncCpuMs = probeReports(run.server.stderr).reduce((sum, r) => sum + r.cpuMs, 0);
    await assertMirrored(target.registry.url, shape.paths, shape.queued ? 'sync --queue' : 'sync', repository);
    const cpuMs = { sync: syncCpuMs, ...cpuByRole(cpuBefore, cpuAfter, (args) => this.#roleOf(args, target.registry)) };
    const sample: QueueSample = {
      runMs: Number(run.finished.durationMs),
      load1: round(loadavg()[0] ?? 0, 2),
      cpuMs,
      loopDelayMs: { sync: syncReport.loopDelayMs, workers: workerReports.map((r) => r.loopDelayMs) },
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
