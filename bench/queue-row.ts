import { startRedis, startRegistry } from '../test/harness/index.js';
import type { SyncProcess } from '../test/e2e/sync-kit.js';
import { corpus } from './corpus.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { QueueRowRig } from './queue-row-rig.js';
import { queueRowText, type QueueRowFigures } from './queue-row-text.js';
import { QueueRuns, type QueueSample } from './queue-runs.js';
import { RunTargets } from './run-targets.js';
import { slotsOf } from './queue-overhead.js';
import { overheadSummary, workerImagesOf } from './queue-report.js';
import { queueResults } from './queue-results.js';
import { concurrencySchema } from '../src/config/copy-schemas.js';
import { writeResultsFile } from './results-file.js';
import { seedSource, totalBytes, uniqueBlobs } from './seed.js';
import { interleave } from './series.js';
import { median } from './stats.js';
import { uploadCounts } from './upload-counts.js';

/**
 * The scale-out row. (a) The corpus mirrored by one `sync` run in-process, and by one `sync --queue`
 * run whose copies `--queue-workers` worker processes take from a real redis-server, interleaved
 * round by round, each run into a target registry of its own (run-targets.ts); the workers run for the whole line and are warmed by one
 * unmeasured queued run first (a deployment's workers are long-running; that run's jobs give the
 * cold-start figure); the runs are fired in two long-running `sync` servers, one in-process and one
 * queued, as deployed (sync-servers.ts), the in-process one warmed by an unmeasured run too. Then one more run of each through a counting
 * proxy in front of the target: the blob uploads each mode sends. Then runs of each kind that find
 * the corpus up to date (the commonest run of a periodic mirror), on the same warm workers. The workers of these lines
 * share out the in-process run's copy slots (8 in-process: 4 + 4), so both runs have as many copies under way
 * (queue-report.ts `workerImagesOf`); (d) then the same queued runs on workers at the in-process figure each
 * (8 + 8: twice the copies under way on the same cores), shown, not checked (skipped when those are the measured lines' workers). (b) The queue mechanism alone:
 * `sync` and one worker at concurrency 1 (after a warm-up): `sync` adds every job at once, the one
 * slot takes them one after another, and no other copy competes for the CPU. Run times are the runs' own durations
 * (`sync-run-finished`), the queue's time per job comes from the logs (queue-overhead.ts), the CPU
 * of every process and the node processes' event-loop delay from /proc and process-probe.ts.
 */
export async function queueRow(options: BenchOptions, machine: MachineInfo, work: string, log: (line: string) => void): Promise<void> {
  const [source, redis] = await Promise.all([startRegistry(), startRedis({ fsync: options.queueRedisFsync })]);
  const images = corpus(options.repos, options.tags, options.largeMb);
  const paths = images.map((i) => `${i.repo}:${i.tag}`);
  const serialPaths = paths.slice(0, Math.min(options.queueSerialImages, paths.length));
  const inProcessImages = options.pbImages ?? concurrencySchema.parse({}).images;
  const workerImages = workerImagesOf(inProcessImages, options.queueWorkers, options.queueWorkerImages);
  // (d) only when its workers differ from the measured lines' (one worker, or told to take the in-process figure: the same runs).
  const wideLine = workerImages !== inProcessImages;
  const workersText = `${options.queueWorkers} worker${options.queueWorkers === 1 ? '' : 's'}`;
  // The two warm-ups, the measured rounds, the up-to-date rounds, (d)'s warm-up and rounds of each kind, and the one-at-a-time
  // line's warm-up and rounds; then the two counted runs.
  const plainRuns = 2 + 4 * options.rounds + (wideLine ? 1 + 2 * options.rounds : 0) + (serialPaths.length > 0 ? 1 + options.rounds : 0);
  const targets = await RunTargets.start(plainRuns, 2).catch(async (error: unknown) => {
    await Promise.all([source.stop(), redis.stop()]);
    throw error;
  });
  let rig: QueueRowRig | undefined;
  let runs: QueueRuns | undefined;
  try {
    log(
      `queue row: seeding the source ${source.host} with ${images.length} images; redis ${redis.url}; ${plainRuns + 2} target registries, one per run`,
    );
    const seeded = await seedSource(images, source, options.seedConcurrency, log);
    runs = new QueueRuns({ source, targets, redisUrl: redis.url }, options.timeoutS * 1000);
    const concurrency = Object.fromEntries(
      Object.entries({ images: options.pbImages, blobs: options.pbBlobs }).filter(([, v]) => v !== undefined),
    );
    rig = new QueueRowRig(runs, { targets, redisUrl: redis.url, work, paths, concurrency });
    const how = `1 sync + ${workersText} x ${workerImages}`;
    const measured = await measuredLines(rig, options, { ...concurrency, images: workerImages }, how, workersText, log);
    const medianMs = (samples: QueueSample[]): number => median(samples.map((s) => s.runMs));
    const overheadOf = (samples: QueueSample[], what: string) =>
      overheadSummary(
        samples.flatMap((s) => s.jobs ?? []),
        what,
      );
    const wideHow = `1 sync + ${workersText} x ${inProcessImages}`;
    const wide = wideLine ? await wideLines(rig, options, concurrency, wideHow, inProcessImages, log) : undefined;
    const serial = serialPaths.length > 0 ? await serialLine(rig, options, concurrency, serialPaths, log) : [];
    const { inProcess, queued, upToDate } = measured;
    const figures: QueueRowFigures = {
      machine,
      options,
      images: images.length,
      bytes: totalBytes(uniqueBlobs(seeded)),
      how,
      workerSlots: measured.workerSlots,
      warmed: measured.warmed,
      inProcess,
      queued,
      serial,
      serialImages: serialPaths.length,
      overhead: overheadOf(queued, 'the corpus through the queue'),
      cold: overheadOf([measured.warmup], 'the warm-up run'),
      alone: serial.length > 0 ? overheadOf(serial, 'one job at a time') : undefined,
      upToDate: {
        ...upToDate,
        overhead: overheadOf(upToDate.queued, 'the corpus found up to date'),
        differenceMs: (medianMs(upToDate.queued) - medianMs(upToDate.inProcess)) / images.length,
      },
      twice: wide !== undefined && {
        how: wideHow,
        slotsEach: inProcessImages,
        queued: wide.queued,
        upToDate: wide.upToDate,
        overhead: overheadOf(wide.queued, `the corpus through ${wideHow}`),
        upToDateOverhead: overheadOf(wide.upToDate, `the corpus found up to date through ${wideHow}`),
        differenceMs: (medianMs(wide.queued) - medianMs(inProcess)) / images.length,
        upToDateDifferenceMs: (medianMs(wide.upToDate) - medianMs(upToDate.inProcess)) / images.length,
      },
      uploads: measured.uploads,
      differenceMs: (medianMs(queued) - medianMs(inProcess)) / images.length,
    };
    const text = queueRowText(figures);
    process.stdout.write(`\n${text}\n`);
    const results = queueResults(figures, measured.warmup, { workerImages, inProcessImages });
    log(`figures written to ${await writeResultsFile(options.queueOut, results, undefined, text)}`);
  } finally {
    await rig?.stopWorkers();
    await runs?.close();
    await targets.stopAll();
    await Promise.all([source.stop(), redis.stop()]);
  }
}

/**
 * Lines (a) and (c), on workers that share out the in-process run's slots (`workerConcurrency`):
 * a warm-up run through the queue, the corpus in-process and queued round by round, one run of
 * each behind a counting proxy (the blob uploads), then the runs that find the corpus up to date.
 */
async function measuredLines(
  rig: QueueRowRig,
  options: BenchOptions,
  workerConcurrency: object,
  how: string,
  workersText: string,
  log: (line: string) => void,
) {
  await rig.startWorkers(options.queueWorkers, workerConcurrency);
  const workerSlots = slotsOf((rig.workers[0] as SyncProcess).logs, 'worker 1');
  log(`queue row: ${workersText} started; a warm-up run through the queue`);
  const warmedAt = rig.workers.map((w) => w.logs.length);
  const warmup = await rig.corpusRun(true);
  // Which workers took a warm-up job (FIFO: Redis hands a job to the slot that has waited longest).
  const warmed = rig.workers.filter((w, i) => w.logs.slice(warmedAt[i]).some((l) => l.event === 'copy-job-taken')).length;
  log('queue row: a warm-up run in-process (its server, like the queued one, is warm for the measured runs)');
  await rig.corpusRun(false);
  const inProcess: QueueSample[] = [];
  const queued: QueueSample[] = [];
  await interleave(
    options.rounds,
    [
      { name: 'in-process', run: async () => void inProcess.push(await rig.corpusRun(false)) },
      { name: how, run: async () => void queued.push(await rig.corpusRun(true)) },
    ],
    log,
  );
  log('queue row: one more run of each through a counting proxy in front of the target (blob uploads)');
  const counted = async (queuedRun: boolean) => {
    const sample = await rig.corpusRun(queuedRun, true);
    return { runMs: sample.runMs, ...uploadCounts(sample.requests ?? []) };
  };
  const uploads = { inProcess: await counted(false), queued: await counted(true) };
  log('queue row: runs that find the corpus up to date (each target filled by an unmeasured in-process run first)');
  const upToDate = { inProcess: [] as QueueSample[], queued: [] as QueueSample[] };
  await interleave(
    options.rounds,
    [
      { name: 'in-process, up to date', run: async () => void upToDate.inProcess.push(await rig.upToDateRun(false)) },
      { name: `${how}, up to date`, run: async () => void upToDate.queued.push(await rig.upToDateRun(true)) },
    ],
    log,
  );
  await rig.stopWorkers();
  return { workerSlots, warmup, warmed, inProcess, queued, uploads, upToDate };
}

/** (d) Workers at the in-process run's slots each: what more copies under way cost on the same cores. */
async function wideLines(
  rig: QueueRowRig,
  options: BenchOptions,
  concurrency: object,
  wideHow: string,
  inProcessImages: number,
  log: (line: string) => void,
): Promise<{ queued: QueueSample[]; upToDate: QueueSample[] }> {
  const wide = { queued: [] as QueueSample[], upToDate: [] as QueueSample[] };
  await rig.startWorkers(options.queueWorkers, concurrency);
  log(`queue row: ${wideHow} (the in-process run's ${inProcessImages} copy slots each); a warm-up run through the queue`);
  await rig.corpusRun(true);
  await interleave(
    options.rounds,
    [
      { name: wideHow, run: async () => void wide.queued.push(await rig.corpusRun(true)) },
      { name: `${wideHow}, up to date`, run: async () => void wide.upToDate.push(await rig.upToDateRun(true)) },
    ],
    log,
  );
  await rig.stopWorkers();
  return wide;
}

/** (b) The queue mechanism alone: `sync` and one worker at concurrency 1, after a warm-up run of the same images. */
async function serialLine(
  rig: QueueRowRig,
  options: BenchOptions,
  concurrency: object,
  serialPaths: readonly string[],
  log: (line: string) => void,
): Promise<QueueSample[]> {
  const serial: QueueSample[] = [];
  const one = { ...concurrency, images: 1 };
  await rig.startWorkers(1, one);
  log(`queue row: one job at a time (sync and 1 worker at concurrency 1, ${serialPaths.length} images); a warm-up run first`);
  // The same images: a server is one configuration (sync-servers.ts), so this warms the one measured.
  await rig.queuedRun(serialPaths, one);
  for (let r = 1; r <= options.rounds; r++) {
    serial.push(await rig.queuedRun(serialPaths, one));
    log(`  one at a time, round ${r}/${options.rounds}: ${((serial.at(-1)?.runMs ?? 0) / 1000).toFixed(2)} s`);
  }
  await rig.stopWorkers();
  return serial;
}
