import type { ServerLog } from '../server/server-log.js';

/**
 * SIGINT/SIGTERM for a long-lived process (`sync`, `worker`): the first asks for a graceful stop
 * (`requested` resolves with it), the second cuts the grace period short (`hurry` aborts: the
 * copies under way are aborted now, and the process still ends cleanly, its history written). A
 * third gets the default action.
 */
export class ServerStopSignals {
  readonly hurry = new AbortController();
  readonly requested: Promise<NodeJS.Signals>;
  #onSignal: (signal: NodeJS.Signals) => void = () => undefined;

  /** `onSignal` hears each signal, to log it; `second` is true for the one that hurries. */
  constructor(onSignal: (signal: NodeJS.Signals, second: boolean) => void) {
    this.requested = new Promise((resolve) => {
      let received = false;
      this.#onSignal = (signal) => {
        onSignal(signal, received);
        if (!received) {
          received = true;
          resolve(signal);
          return;
        }
        this.hurry.abort();
        this.dispose();
      };
    });
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}

/** The log line of a stop signal: what it does, and what another one would. */
export function logStopSignal(log: ServerLog, signal: NodeJS.Signals, second: boolean): void {
  const message = second
    ? `${signal} received again: the copies under way are aborted now (no tag is written for them)`
    : `${signal} received: stopping; a second SIGINT or SIGTERM aborts the copies under way at once`;
  log.logger.info({ event: 'signal', signal, ...(second ? { again: true } : {}) }, message);
}
