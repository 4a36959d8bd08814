import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes a blob through unchanged and destroys it with `stalled(bytes)` when fewer than `minBytes`
 * went through in an interval of `intervalMs` that is the watched side's fault. A stream copy moves
 * at the pace of its slower end, so each side is judged only while it is the one holding things
 * up: a download (`blame: 'producer'`) while its reader is waiting for bytes, an upload (`blame:
 * 'consumer'`) while the bytes are waiting for the registry to take them. A full buffer during the
 * interval, or at its end, means the consumer was the slow one.
 */
export class ThroughputWatch extends Transform {
  #bytes = 0;
  #consumerSlow = false;
  #rule: { minBytes: number; intervalMs: number; blame: 'producer' | 'consumer' };
  #stalled: (bytes: number) => Error;
  #timer: NodeJS.Timeout;

  constructor(rule: { minBytes: number; intervalMs: number; blame: 'producer' | 'consumer' }, stalled: (bytes: number) => Error) {
    super();
    this.#rule = rule;
    this.#stalled = stalled;
    this.#timer = setInterval(() => this.endInterval(), rule.intervalMs);
    this.#timer.unref();
    const stop = (): void => clearInterval(this.#timer);
    // Once the producer has sent everything, a download can no longer stall; an upload's last
    // buffered bytes are covered by the response timeout.
    this.once('finish', stop).once('close', stop);
  }

  /** Judges the interval that just ended and starts the next one (called by the timer; by tests directly). */
  endInterval(): void {
    const consumerSlow = this.#consumerSlow || this.readableLength >= this.readableHighWaterMark;
    const bytes = this.#bytes;
    this.#bytes = 0;
    this.#consumerSlow = false;
    if (bytes >= this.#rule.minBytes || this.destroyed) return;
    const watchedSideIsSlow = this.#rule.blame === 'producer' ? !consumerSlow : consumerSlow;
    if (watchedSideIsSlow) this.destroy(this.#stalled(bytes));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    if (!this.push(chunk)) this.#consumerSlow = true;
    callback();
  }
}
