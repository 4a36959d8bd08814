import { join } from 'node:path';
import { makeTempDir } from '../test/harness/procs.js';
import { startRedis, startRegistry } from '../test/harness/index.js';
import { startWorker } from '../test/e2e/queue-kit.js';
import { startSync, writeConfig, type SyncProcess } from '../test/e2e/sync-kit.js';
import { corpus } from './corpus.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { writeResultsFile } from './results-file.js';
import { seedSource, totalBytes, uniqueBlobs } from './seed.js';
import { interleave, round } from './series.js';
import { median } from './stats.js';
import { assertMirrored } from './target-check.js';
import { wipeRegistry } from './target-reset.js';
import { fixed, formatTable } from './table.js';
import { loadavg } from 'node:os';
import { jobOverheads, type JobOverhead } from './queue-overhead.js';

/** The design's limit on the queue's own time per image (enqueue to pickup, progress, result back), loopback. */
export const QUEUE_OVERHEAD_LIMIT_MS = 5;

interface QueueSample {
  /** The run's own duration (`sync-run-finished`'s durationMs): listing, checks, copies; no process start-up. */
  runMs: number;
  load1: number;
  /** Queued runs: each job's time in the queue mechanism, from the sync and worker logs. */
  jobs?: JobOverhead[];
}

/**
 * The scale-out row: the corpus mirrored by one `sync` run in-process, and by one `sync --queue`
 * run whose copies `--queue-workers` worker processes take from a real redis-server, interleaved
 * round by round into an emptied target. Both figures are the run's own duration from its
 * `sync-run-finished` event, so process start-ups do not count; the queue's overhead per image is
 * the difference of the medians divided by the images.
 */
export async function queueRow(options: BenchOptions, machine: MachineInfo, work: string, log: (line: string) => void): Promise<void> {
  const [source, target, redis] = await Promise.all([startRegistry(), startRegistry(), startRedis()]);
  const workers: SyncProcess[] = [];
  try {
    const images = corpus(options.repos, options.tags, options.largeMb);
    log(`queue row: seeding the source ${source.host} with ${images.length} images; redis ${redis.url}`);
    const seeded = await seedSource(images, source, options.seedConcurrency, log);
    const paths = images.map((i) => `${i.repo}:${i.tag}`);
    const registry = { hostname: target.host, repository: 'mirror', images: paths.map((p) => `${source.host}/${p}`) };
    const concurrency = Object.fromEntries(
      Object.entries({ images: options.pbImages, blobs: options.pbBlobs }).filter(([, v]) => v !== undefined),
    );
    const workerConfig = await writeConfig(await makeTempDir('bench-queue-worker'), { registries: [registry], concurrency });
    const timeoutMs = options.timeoutS * 1000;
    const oneRun = async (queue: boolean): Promise<QueueSample> => {
      await wipeRegistry(target);
      // Fresh workers each run, as the in-process run is a fresh process: a worker that copied into the
      // target before it was wiped would trust what it knew of the target's blobs.
      if (queue)
        for (let i = 0; i < options.queueWorkers; i++) workers.push(await startWorker(workerConfig, { cwd: work, queue: redis.url }));
      const home = await makeTempDir('bench-queue-sync');
      const config = {
        registries: [registry],
        concurrency,
        state: { path: join(home, 'state.db') },
        sync: { runOnStart: true },
        ...(queue ? { queue: { url: redis.url } } : {}),
      };
      const server = await startSync(await writeConfig(home, config), { cwd: home, waitFor: 'nothing' });
      try {
        const finished = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish', 0, timeoutMs);
        if (finished.result !== 'succeeded')
          throw new Error(
            `the ${queue ? 'queued' : 'in-process'} run ${String(finished.result)}: ${server.logs
              .filter((l) => l.level !== 'info')
              .slice(0, 3)
              .map((l) => l.msg)
              .join('; ')}`,
          );
        await assertMirrored(target.url, paths, queue ? 'sync --queue' : 'sync');
        const sample: QueueSample = { runMs: Number(finished.durationMs), load1: round(loadavg()[0] ?? 0, 2) };
        if (queue)
          sample.jobs = jobOverheads(
            server.logs,
            workers.flatMap((w) => w.logs),
          );
        return sample;
      } finally {
        await server.stop();
        await Promise.all(workers.splice(0).map((w) => w.stop()));
      }
    };
    const inProcess: QueueSample[] = [];
    const queued: QueueSample[] = [];
    await interleave(
      options.rounds,
      [
        { name: 'in-process', run: async () => void inProcess.push(await oneRun(false)) },
        { name: `1 sync + ${options.queueWorkers} workers`, run: async () => void queued.push(await oneRun(true)) },
      ],
      log,
    );
    const medianMs = (samples: QueueSample[]): number => median(samples.map((s) => s.runMs));
    const differenceMs = (medianMs(queued) - medianMs(inProcess)) / images.length;
    const jobs = queued.flatMap((s) => s.jobs ?? []);
    const part = (key: keyof Omit<JobOverhead, 'job'>): { median: number; max: number } => ({
      median: round(median(jobs.map((j) => j[key])), 1),
      max: round(Math.max(...jobs.map((j) => j[key])), 1),
    });
    const overhead = {
      jobs: jobs.length,
      pickupMs: part('pickupMs'),
      progressMs: part('progressMs'),
      resultMs: part('resultMs'),
      totalMs: part('totalMs'),
    };
    const pass = overhead.totalMs.median < QUEUE_OVERHEAD_LIMIT_MS;
    const ms = (p: { median: number; max: number }): string => `${fixed(p.median, 1)} ms (max ${fixed(p.max, 1)})`;
    const bytes = totalBytes(uniqueBlobs(seeded));
    const row = (name: string, samples: QueueSample[]) => [
      `queue (${images.length} img)`,
      name,
      fixed(medianMs(samples) / 1000, 2),
      fixed(bytes / 1e6 / (medianMs(samples) / 1000), 0),
      samples.map((s) => fixed(s.runMs / 1000, 2)).join(' '),
      samples.map((s) => fixed(s.load1, 1)).join(' '),
    ];
    const text = [
      `machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB RAM, Node ${machine.node}`,
      `corpus: ${images.length} images, ${fixed(bytes / 1e6, 0)} MB; ${options.rounds} interleaved rounds; run time from the run's own events`,
      '',
      formatTable(
        ['run', 'how', 'run s', 'MB/s', 'each run s', 'load after each'],
        [row('in-process', inProcess), row(`1 sync + ${options.queueWorkers} workers`, queued)],
      ),
      '',
      `queue overhead per image, median over ${overhead.jobs} jobs of the queued runs (max): ${ms(overhead.totalMs)}`,
      `  = sync adds the job -> a worker takes it ${ms(overhead.pickupMs)} + copy ended -> its last progress in Redis ${ms(overhead.progressMs)}`,
      `  + worker returns the result -> sync receives it ${ms(overhead.resultMs)}  (log times, one clock, 1 ms resolution)`,
      `  ${pass ? 'PASS' : 'MISS'}  queue overhead per image: ${fixed(overhead.totalMs.median, 1)} ms (< ${QUEUE_OVERHEAD_LIMIT_MS} ms on loopback)`,
      `run-time difference per image: ${fixed(differenceMs, 1)} ms (difference of the medians / ${images.length} images: not the queue's cost alone;`,
      `  on 2 cores the sync, ${options.queueWorkers} workers, Redis and both registries compete for the CPU the in-process run has to itself)`,
    ].join('\n');
    process.stdout.write(`\n${text}\n`);
    const results = {
      date: new Date().toISOString(),
      machine,
      options: { ...options },
      inProcess,
      queued,
      queueOverheadMsPerImage: overhead,
      queueOverheadTarget: { limitMs: QUEUE_OVERHEAD_LIMIT_MS, pass },
      runDifferenceMsPerImage: round(differenceMs, 2),
    };
    log(`figures written to ${await writeResultsFile(options.queueOut, results, undefined, text)}`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all([source.stop(), target.stop(), redis.stop()]);
  }
}
