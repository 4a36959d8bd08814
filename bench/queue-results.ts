import type { QueueRowFigures } from './queue-row-text.js';
import type { QueueSample } from './queue-runs.js';
import { passes, QUEUE_OVERHEAD_LIMIT_MS } from './queue-report.js';
import { round } from './series.js';

/**
 * The scale-out row's figures as its results file keeps them (bench/results/queue.json): every
 * run's samples, each overhead line with its verdict against the limit, the blob counts, and the
 * workers' slots of the measured lines and of line (d).
 */
export function queueResults(f: QueueRowFigures, warmup: QueueSample, slots: { workerImages: number; inProcessImages: number }) {
  return {
    date: new Date().toISOString(),
    machine: f.machine,
    options: { ...f.options },
    inProcess: f.inProcess,
    queued: f.queued,
    warmup: { ...warmup, workersThatTookAJob: f.warmed },
    queueOverheadMsPerImage: f.overhead,
    coldStartOverheadMsPerImage: f.cold,
    queueOverheadTarget: { limitMs: QUEUE_OVERHEAD_LIMIT_MS, pass: passes(f.overhead) },
    oneJobAtATime: f.alone && {
      images: f.serialImages,
      runs: f.serial,
      queueOverheadMsPerImage: f.alone,
      queueOverheadTarget: { limitMs: QUEUE_OVERHEAD_LIMIT_MS, pass: passes(f.alone) },
    },
    upToDate: {
      inProcess: f.upToDate.inProcess,
      queued: f.upToDate.queued,
      queueOverheadMsPerImage: f.upToDate.overhead,
      queueOverheadTarget: { limitMs: QUEUE_OVERHEAD_LIMIT_MS, pass: passes(f.upToDate.overhead) },
      runDifferenceMsPerImage: round(f.upToDate.differenceMs, 2),
    },
    blobUploadsAtTarget: f.uploads,
    runDifferenceMsPerImage: round(f.differenceMs, 2),
    workerImages: slots.workerImages,
    inProcessImages: slots.inProcessImages,
    twiceTheCopiesUnderWay: f.twice && {
      how: f.twice.how,
      queued: f.twice.queued,
      upToDate: f.twice.upToDate,
      queueOverheadMsPerImage: f.twice.overhead,
      upToDateQueueOverheadMsPerImage: f.twice.upToDateOverhead,
      runDifferenceMsPerImage: round(f.twice.differenceMs, 2),
      upToDateRunDifferenceMsPerImage: round(f.twice.upToDateDifferenceMs, 2),
    },
  };
}
