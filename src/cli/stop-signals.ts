import { setMaxListeners } from 'node:events';
import { constants as osConstants } from 'node:os';

/**
 * SIGINT/SIGTERM for a command that copies many images: once, no further image starts (`drain`)
 * and the copies under way finish; twice, they are aborted (`abort`; a manifest is written last,
 * so no target tag points at missing content). A third signal gets the default action.
 */
export class StopSignals {
  readonly drain = new AbortController();
  readonly abort = new AbortController();
  #onStop: (signal: NodeJS.Signals, abortNow: boolean) => void;
  #received: NodeJS.Signals | undefined;
  #onSignal = (signal: NodeJS.Signals): void => {
    const abortNow = this.drain.signal.aborted;
    if (abortNow) {
      this.abort.abort();
      this.dispose();
    } else {
      this.#received = signal;
      this.drain.abort();
    }
    this.#onStop(signal, abortNow);
  };

  /** `onStop` hears each signal, to say what happens now. */
  constructor(onStop: (signal: NodeJS.Signals, abortNow: boolean) => void) {
    this.#onStop = onStop;
    // Every request of the run listens on these: far more than Node's default of 10 listeners.
    setMaxListeners(0, this.drain.signal, this.abort.signal);
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  /** Resolves at the first signal (a long-lived process begins its stop then). */
  stopRequested(): Promise<void> {
    const { signal } = this.drain;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** 128 + the number of the first signal received (130, 143), or undefined when none came. */
  get exitCode(): number | undefined {
    return this.#received ? 128 + osConstants.signals[this.#received] : undefined;
  }

  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}
