import { CancelledError, errorInfo } from '../errors/index.js';
import type { CopyEventListener } from './events.js';

/**
 * The stop of one destination of a copy: once it failed for good (a blob or manifest it refused, a
 * blob whose retries ran out), whatever else was still streaming to it is cut at once (its signal
 * aborts with that failure as the reason) instead of running to its end for a tag that will never be
 * written. In a grouped copy each destination has its own: the others go on. The first failure
 * counts; `target-failed` tells the listener (not for a stopped run: image-cancelled says that).
 */
export class TargetStop {
  readonly #controller = new AbortController();
  readonly #target: string;
  readonly #emit: CopyEventListener;

  constructor(target: string, emit: CopyEventListener) {
    this.#target = target;
    this.#emit = emit;
  }

  /** Aborted, with the destination's first failure as its reason, once it failed. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  fail(error: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(error);
    if (error instanceof CancelledError) return;
    this.#emit({ type: 'target-failed', target: this.#target, error: errorInfo(error), time: Date.now() });
  }
}
