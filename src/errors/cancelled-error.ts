import { PictureBookError } from './picture-book-error.js';

/**
 * The work was stopped on purpose (SIGTERM/SIGINT, a pause, a stop's grace period ran out), not
 * because anything went wrong: callers count it apart from failures and do not retry it.
 */
export class CancelledError extends PictureBookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CANCELLED', message, options);
  }

  /**
   * A CancelledError about `what` when one of `signals` has been aborted, else undefined.
   * Whatever failed after an abort (a reset socket, undici's AbortError) is the abort's doing.
   */
  static ifAborted(signals: ReadonlyArray<AbortSignal | undefined>, what: string, cause?: unknown): CancelledError | undefined {
    if (cause instanceof CancelledError) return cause;
    if (!signals.some((s) => s?.aborted === true)) return undefined;
    return new CancelledError(`${what}: cancelled, the run is stopping`, cause === undefined ? undefined : { cause });
  }
}
