import type { ServerLog } from '../server/server-log.js';

/** The log line of a stop signal: what it does, and what another one would. */
export function logStopSignal(log: ServerLog, signal: NodeJS.Signals, second: boolean): void {
  const message = second
    ? `${signal} received again: the copies under way are aborted now (no tag is written for them)`
    : `${signal} received: stopping; a second SIGINT or SIGTERM aborts the copies under way at once`;
  log.logger.info({ event: 'signal', signal, ...(second ? { again: true } : {}) }, message);
}
