import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import { ServerLog } from '../server/server-log.js';
import { SyncService } from '../server/sync-service.js';
import { checkQueueFlag, queueSettings } from './queue-flag.js';
import { logStopSignal } from './log-stop-signal.js';
import { StopSignals } from './stop-signals.js';

/** Editors save in bursts (truncate, write, rename): one reload per burst. */
const RELOAD_DEBOUNCE_MS = 300;

/** Calls `onChange` (debounced) when the file changes; watches its directory so replaced files count. */
function watchFile(file: string, onChange: () => void): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(file), (_event, name) => {
    if (name !== null && name !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, RELOAD_DEBOUNCE_MS);
  });
  watcher.on('close', () => clearTimeout(timer));
  return watcher;
}

/**
 * Runs the sync server until SIGTERM or SIGINT, then stops gracefully (running copies get the
 * grace period) and resolves, so the process exits 0. SIGHUP or a change of the config file
 * reloads it; a broken file is rejected and the running configuration stays.
 */
export async function runSyncServer(configFlag: string | undefined, queueFlag?: string): Promise<void> {
  checkQueueFlag(queueFlag);
  const file = resolveConfigPath(configFlag, process.env, process.cwd());
  const { config, warnings } = await loadConfig(file); // a ConfigError makes main print it and exit 2
  const log = new ServerLog();
  log.addSecrets(config);
  for (const message of warnings) log.event({ type: 'server-warning', message, time: Date.now() });
  const queue = queueSettings(config, queueFlag);
  if (queue) log.addSecrets({ ...config, queue }); // a password in --queue's URL
  // Heard from the start: a stop asked while the start waits for Redis stops the server all the same.
  const signals = new StopSignals((signal, second) => logStopSignal(log, signal, second));
  // The queue is fixed for the life of the process: a reload does not move it (restart-settings.ts says so).
  const service = await SyncService.start(config, {
    emit: (event) => log.event(event),
    ...(queue ? { queue } : {}),
    stopping: signals.drain.signal,
  });

  const reload = () => {
    void service.reload().then(() => log.addSecrets(service.config));
  };
  const watcher = watchFile(file, reload);
  process.on('SIGHUP', reload);
  await signals.stopRequested();
  watcher.close();
  process.off('SIGHUP', reload);
  const stopped = await service.stop(signals.abort.signal);
  signals.dispose();
  // Stopped without Redis: BullMQ's loops, whose close waits for Redis, would keep the process alive.
  if (stopped === 'abandoned') process.exit(0);
}
