import { loadConfig, resolveConfigPath } from '../config/index.js';
import { CopyEngine } from '../copy/index.js';
import { PictureBookError } from '../errors/index.js';
import { CopyWorker } from '../queue/index.js';
import { queueKey } from '../queue/queue-key.js';
import { distributeJobOpener } from '../server/distribute/distribute-worker.js';
import { ServerLog } from '../server/server-log.js';
import { timeoutsFromSettings } from '../transport/index.js';
import { checkQueueFlag, queueSettings } from './queue-flag.js';
import { logStopSignal } from './log-stop-signal.js';
import { StopSignals } from './stop-signals.js';

/**
 * Runs a copy worker until SIGTERM or SIGINT: it takes no more jobs, the copies under way get
 * sync.gracePeriodSeconds, then go back to the queue for another worker; it exits 0. Redis
 * unreachable, it stops without it (`queue-abandoned`), and exits 0 too.
 */
/** `picture-book worker`'s flags (worker-command.ts). */
export interface WorkerFlags {
  config?: string;
  queue?: string;
  concurrency?: number;
  prefetch?: number;
}

export async function runWorker(flags: WorkerFlags): Promise<void> {
  const queueFlag = checkQueueFlag(flags.queue);
  const file = resolveConfigPath(flags.config, process.env, process.cwd());
  const { config, warnings } = await loadConfig(file);
  const settings = queueSettings(config, queueFlag);
  if (!settings) throw new PictureBookError('USAGE', `worker: no queue: give --queue redis://HOST:PORT or queue.url in ${file}`);
  const log = new ServerLog();
  log.addSecrets({ ...config, queue: settings });
  for (const message of warnings) log.event({ type: 'server-warning', message, time: Date.now() });
  const engine = new CopyEngine({
    imageConcurrency: config.concurrency.images,
    blobConcurrency: config.concurrency.blobs,
    timeouts: timeoutsFromSettings(config.timeouts),
  });
  engine.onHostEvent((event) => log.event(event));
  const key = queueKey(settings, file, process.env);
  const prefetch = flags.prefetch ?? config.queue?.prefetch;
  const worker = new CopyWorker({
    settings,
    config: () => config,
    openEndpoints: distributeJobOpener(() => config, key),
    engine,
    hosts: engine,
    concurrency: flags.concurrency ?? config.concurrency.images,
    ...(prefetch !== undefined ? { prefetch } : {}),
    emit: (event) => log.event(event),
  });
  const signals = new StopSignals((signal, second) => logStopSignal(log, signal, second));
  // Redis unreachable, the start waits for it: a stop asked meanwhile stops the worker all the same.
  const stopRequested = signals.stopRequested();
  const started = worker.start().then(() => stopRequested);
  // A start that fails once the stop began is the stop's doing (it drops the connections).
  started.catch(() => undefined);
  await Promise.race([started, stopRequested]);
  const graceMs = config.sync.gracePeriodSeconds * 1000;
  log.event({ type: 'server-stopping', graceMs, time: Date.now() });
  const stopped = await worker.stop(graceMs, signals.abort.signal);
  signals.dispose();
  await engine.close();
  log.event({ type: 'server-stopped', time: Date.now() });
  // Stopped without Redis: BullMQ's job loops, whose close waits for Redis, would keep retrying
  // to reach it and the process alive. The log lines are written (stdout is synchronous).
  if (stopped === 'abandoned') process.exit(0);
}
