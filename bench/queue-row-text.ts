import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import type { QueueSample } from './queue-runs.js';
import { cpuText, loopDelaySummary, loopDelayText, medianCpu, overheadText, type OverheadSummary } from './queue-report.js';
import { median } from './stats.js';
import { fixed, formatTable } from './table.js';
import type { UploadCounts } from './upload-counts.js';

/** Everything the scale-out row measured, for its text. */
export interface QueueRowFigures {
  machine: MachineInfo;
  options: BenchOptions;
  images: number;
  bytes: number;
  how: string;
  /** Each corpus worker's slots, from its worker-ready line. */
  workerSlots: number;
  warmed: number;
  inProcess: QueueSample[];
  queued: QueueSample[];
  serial: QueueSample[];
  serialImages: number;
  overhead: OverheadSummary;
  cold: OverheadSummary;
  alone: OverheadSummary | undefined;
  /** Runs that find every image already at the target (the target filled first by an unmeasured run). */
  upToDate: { inProcess: QueueSample[]; queued: QueueSample[]; overhead: OverheadSummary; differenceMs: number };
  /** (d) The same queued runs on workers at the in-process run's slots each, more copies under way (false: not run, the measured lines' workers are those). */
  twice:
    | false
    | {
        how: string;
        slotsEach: number;
        queued: QueueSample[];
        upToDate: QueueSample[];
        overhead: OverheadSummary;
        upToDateOverhead: OverheadSummary;
        differenceMs: number;
        upToDateDifferenceMs: number;
      };
  uploads: { inProcess: UploadCounts & { runMs: number }; queued: UploadCounts & { runMs: number } };
  differenceMs: number;
}

const uploadText = (u: UploadCounts): string =>
  `${u.uploads} blob uploads of ${u.uploadedDigests} digests (${fixed(u.uploadedBytes / 1e6, 0)} MB sent), ` +
  `${u.digestsUploadedTwiceOrMore} digests uploaded 2+ times (at most ${u.mostUploadsOfOneDigest}), ` +
  `${u.mounts} mounts (${u.mountsRefused} refused), ${u.blobHeads} blob HEADs`;

export function queueRowText(f: QueueRowFigures): string {
  const medianS = (samples: QueueSample[]): number => median(samples.map((s) => s.runMs)) / 1000;
  const row = (name: string, samples: QueueSample[], images: number) => [
    `queue (${images} img)`,
    name,
    fixed(medianS(samples), 2),
    samples.map((s) => fixed(s.runMs / 1000, 2)).join(' '),
    cpuTotal(samples),
    samples.map((s) => fixed(s.load1, 1)).join(' '),
  ];
  const rows = [
    row('in-process', f.inProcess, f.images),
    row(f.how, f.queued, f.images),
    row('in-process, up to date', f.upToDate.inProcess, f.images),
    row(`${f.how}, up to date`, f.upToDate.queued, f.images),
  ];
  if (f.twice) rows.push(row(f.twice.how, f.twice.queued, f.images), row(`${f.twice.how}, up to date`, f.twice.upToDate, f.images));
  if (f.serial.length > 0) rows.push(row('1 sync + 1 worker, one job at a time', f.serial, f.serialImages));
  const loops = (samples: QueueSample[], who: 'sync' | 'workers') =>
    loopDelayText(loopDelaySummary(samples.flatMap((s) => (who === 'sync' ? [s.loopDelayMs.sync] : s.loopDelayMs.workers))));
  const lines = [
    `machine: ${f.machine.cores} cores (${f.machine.cpu}), ${f.machine.memoryGiB} GiB RAM, Node ${f.machine.node}`,
    `corpus: ${f.images} images, ${fixed(f.bytes / 1e6, 0)} MB; ${f.options.rounds} interleaved rounds; run time from the run's own events`,
    `redis-server: appendonly yes, appendfsync ${f.options.queueRedisFsync}${f.options.queueRedisFsync === 'always' ? ' (every write waits for the disk, which the registries keep busy)' : ' (as the README deploys it)'}`,
    '',
    formatTable(['run', 'how', 'run s', 'each run s', 'CPU s (all processes)', 'load after each'], rows),
    '',
    `(a) the corpus through the queue: ${f.how} (each worker ${f.workerSlots} slots: together as many copies under way as the in-process run),`,
    `    started once and warmed by one unmeasured queued run`,
    `    (${f.warmed} of them took a job of it); every run into a target registry of its own that no worker has seen`,
    ...overheadText({
      title: 'queue overhead per image, the corpus on warm workers',
      meaning:
        "The queue's time per image while the copies of the whole corpus run: each part is a hop between processes (sync -> Redis -> " +
        'worker, worker -> Redis, worker -> Redis -> sync), and while the copies keep the cores busy each hop waits for a core. ' +
        'On a machine where the workers, sync, Redis and both registries share the cores, this is CPU contention more than the queue.',
      summary: f.overhead,
    }),
    `    cold start (the warm-up run's jobs, the first of freshly started workers; not checked): ${fixed(f.cold.totalMs.median, 1)} ms` +
      ` (max ${fixed(f.cold.totalMs.max, 1)}) = pickup ${fixed(f.cold.pickupMs.median, 1)} + progress ${fixed(f.cold.progressMs.median, 1)} + result ${fixed(f.cold.resultMs.median, 1)}`,
    `    run-time difference per image: ${fixed(f.differenceMs, 1)} ms (difference of the medians / ${f.images} images; not the queue's cost alone:`,
    `    the workers, sync and Redis share the cores the in-process run has to itself; the blobs sent and the CPU of each process are below)`,
  ];
  lines.push(
    `(c) the corpus found up to date: ${f.how}, the same warm workers; each target filled by an unmeasured in-process run first`,
    ...overheadText({
      title: 'queue overhead per image, a run that finds the corpus up to date',
      meaning:
        'Most runs of a periodic mirror find most images unchanged: each job is a look at both manifests, so the ' +
        "queue's hops are most of an image's time, and the cores are not busy with blob copies.",
      summary: f.upToDate.overhead,
    }),
    `    run-time difference per image: ${fixed(f.upToDate.differenceMs, 1)} ms (difference of the medians / ${f.images} images)`,
  );
  if (f.twice)
    lines.push(
      `(d) the same queued runs on ${f.twice.how}: each worker at the in-process run's ${f.twice.slotsEach} slots, ` +
        `${f.options.queueWorkers * f.twice.slotsEach} copies under way against its ${f.twice.slotsEach}, on the same cores`,
      ...overheadText({
        title: 'queue overhead per image, the corpus, more copies under way',
        meaning:
          'What the cores being shared by more copies costs each hop (shown, not checked: on a machine whose cores ' +
          'the workers share, this is contention, not the queue).',
        summary: f.twice.overhead,
        checked: false,
      }),
      ...overheadText({
        title: 'queue overhead per image, found up to date, more copies under way',
        meaning: 'The same for runs that find the corpus up to date.',
        summary: f.twice.upToDateOverhead,
        checked: false,
      }),
      `    run-time difference per image: ${fixed(f.twice.differenceMs, 1)} ms; up to date ${fixed(f.twice.upToDateDifferenceMs, 1)} ms (against the in-process medians above)`,
    );
  if (f.alone)
    lines.push(
      `(b) the queue mechanism alone: ${f.serialImages} images, sync and one worker at concurrency 1 (after a warm-up run), ${f.options.rounds} runs`,
      ...overheadText({
        title: 'queue overhead per image, one job at a time',
        meaning:
          "The queue's own cost: sync adds every job at once and the worker's one slot takes them one after another " +
          '(the pickup counts from the copy before it ending), so no other copy competes for the CPU and each hop runs as ' +
          'soon as its message arrives. This is what the queue adds to an image when the cores are free.',
        summary: f.alone,
      }),
    );
  lines.push(
    '',
    "where the queued run's time goes (measured, same rig):",
    `  blob uploads at the target, one more run of each through a counting proxy (${fixed(f.uploads.inProcess.runMs / 1000, 2)} s / ${fixed(f.uploads.queued.runMs / 1000, 2)} s):`,
    `    in-process: ${uploadText(f.uploads.inProcess)}`,
    `    queued:     ${uploadText(f.uploads.queued)}`,
    `  CPU per run, median: in-process: ${cpuText(medianCpu(f.inProcess))}`,
    `                       queued:     ${cpuText(medianCpu(f.queued))}`,
    ...(f.serial.length > 0 ? [`                       one at a time: ${cpuText(medianCpu(f.serial))}`] : []),
    `  event-loop delay (a 2 ms timer's lateness; sync from its run's start, workers over each run): in-process sync ${loops(f.inProcess, 'sync')};`,
    `    queued: sync ${loops(f.queued, 'sync')}, workers ${loops(f.queued, 'workers')}` +
      (f.serial.length > 0 ? `; one at a time: sync ${loops(f.serial, 'sync')}, worker ${loops(f.serial, 'workers')}` : ''),
  );
  return lines.join('\n');
}

const cpuTotal = (samples: QueueSample[]): string =>
  fixed(median(samples.map((s) => Object.values(s.cpuMs).reduce((a, b) => a + b, 0))) / 1000, 2);
