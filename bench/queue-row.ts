import { makeTempDir } from '../test/harness/procs.js';
import { startRedis, startRegistry } from '../test/harness/index.js';
import { startWorker } from '../test/e2e/queue-kit.js';
import { writeConfig, type SyncProcess } from '../test/e2e/sync-kit.js';
import { syncRun } from './queue-warmup.js';
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
 * round by round into an emptied target. The workers run for the whole row and are warmed by one
 * unmeasured queued run first (a deployment's workers are long-running); each `sync` is a fresh
 * process. Run times are the run's own duration from its `sync-run-finished` event, so process
 * start-ups do not count; the queue's overhead per image is measured per job from the logs
 * (queue-overhead.ts), the warm-up run's jobs giving the cold-start figure.
 */
export async function queueRow(options: BenchOptions, machine: MachineInfo, work: string, log: (line: string) => void): Promise<void> {
  const [source, target, redis] = await Promise.all([startRegistry(), startRegistry(), startRedis()]);
  const workers: SyncProcess[] = [];
  try {
    const images = corpus(options.repos, options.tags, options.largeMb);
    log(`queue row: seeding the source ${source.host} with ${images.length} images; redis ${redis.url}`);
    const seeded = await seedSource(images, source, options.seedConcurrency, log);
    const paths = images.map((i) => `${i.repo}:${i.tag}`);
    const registryTo = (repository: string) => ({
      hostname: target.host,
      repository,
      images: paths.map((p) => `${source.host}/${p}`),
    });
    const concurrency = Object.fromEntries(
      Object.entries({ images: options.pbImages, blobs: options.pbBlobs }).filter(([, v]) => v !== undefined),
    );
    // The workers' entry names the target host; the repository each job writes to comes with the job.
    const workerConfig = await writeConfig(await makeTempDir('bench-queue-worker'), { registries: [registryTo('mirror')], concurrency });
    const timeoutMs = options.timeoutS * 1000;
    const queue = { queue: { url: redis.url } };
    // How many jobs a worker runs at once, as it said when it started.
    const slotsOf = (w: SyncProcess): number => Number(w.logs.find((l) => l.event === 'worker-ready')?.concurrency);
    // Warm workers, as a long-running deployment has them: started once, then one unmeasured queued
    // run (its jobs are each worker's first: the cold-start figure). The target is wiped before each
    // run and every run writes to a repository of its own: a worker trusts for 10 minutes the blobs
    // it saw in a repository, which the wipe removed behind its back.
    for (let i = 0; i < options.queueWorkers; i++) workers.push(await startWorker(workerConfig, { cwd: work, queue: redis.url }));
    let runs = 0;
    const oneRun = async (queued: boolean): Promise<QueueSample> => {
      await wipeRegistry(target);
      const repository = `mirror-${++runs}`;
      const linesBefore = workers.map((w) => w.logs.length);
      const what = `the ${queued ? 'queued' : 'in-process'} run`;
      const run = await syncRun([registryTo(repository)], { concurrency, ...(queued ? queue : {}) }, timeoutMs, what);
      await assertMirrored(target.url, paths, queued ? 'sync --queue' : 'sync', repository);
      const sample: QueueSample = { runMs: Number(run.finished.durationMs), load1: round(loadavg()[0] ?? 0, 2) };
      if (queued)
        sample.jobs = jobOverheads(
          run.logs,
          workers.map((w, i) => ({ lines: w.logs.slice(linesBefore[i]), slots: slotsOf(w) })),
        );
      return sample;
    };
    log(`queue row: ${options.queueWorkers} workers started; a warm-up run through the queue`);
    const warmedAt = workers.map((w) => w.logs.length);
    const warmup = await oneRun(true);
    // Which workers took a warm-up job (FIFO: Redis hands a job to the slot that has waited longest).
    const warmed = workers.filter((w, i) => w.logs.slice(warmedAt[i]).some((l) => l.event === 'copy-job-taken')).length;
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
    const overheadOf = (jobs: JobOverhead[]) => {
      const part = (key: keyof Omit<JobOverhead, 'job'>): { median: number; max: number } => ({
        median: round(median(jobs.map((j) => j[key])), 1),
        max: round(Math.max(...jobs.map((j) => j[key])), 1),
      });
      return {
        jobs: jobs.length,
        pickupMs: part('pickupMs'),
        progressMs: part('progressMs'),
        resultMs: part('resultMs'),
        totalMs: part('totalMs'),
      };
    };
    const overhead = overheadOf(queued.flatMap((s) => s.jobs ?? []));
    const cold = overheadOf(warmup.jobs ?? []);
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
      `workers: ${options.queueWorkers}, started once and warmed by one unmeasured queued run (${warmed} of them took a job of it);`,
      `  every run (warm-up included) into an emptied target, each into a repository of its own`,
      `queue overhead per image on warm workers, median over ${overhead.jobs} jobs of the queued runs (max): ${ms(overhead.totalMs)}`,
      `  = sync adds the job -> a worker takes it ${ms(overhead.pickupMs)} + copy ended -> its last progress in Redis ${ms(overhead.progressMs)}`,
      `  + worker returns the result -> sync receives it ${ms(overhead.resultMs)}  (log times, one clock, 1 ms resolution)`,
      `  ${pass ? 'PASS' : 'MISS'}  queue overhead per image: ${fixed(overhead.totalMs.median, 1)} ms (< ${QUEUE_OVERHEAD_LIMIT_MS} ms on loopback)`,
      `cold start (the warm-up run: the first jobs of freshly started workers): ${ms(cold.totalMs)} = pickup ${ms(cold.pickupMs)}`,
      `  + progress ${ms(cold.progressMs)} + result ${ms(cold.resultMs)} (not checked against the limit)`,
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
      warmup: { ...warmup, workersThatTookAJob: warmed },
      queueOverheadMsPerImage: overhead,
      coldStartOverheadMsPerImage: cold,
      queueOverheadTarget: { limitMs: QUEUE_OVERHEAD_LIMIT_MS, pass },
      runDifferenceMsPerImage: round(differenceMs, 2),
    };
    log(`figures written to ${await writeResultsFile(options.queueOut, results, undefined, text)}`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all([source.stop(), target.stop(), redis.stop()]);
  }
}
