import { Redis } from 'ioredis';
import { errorMessage } from '../errors/index.js';
import type { QueueEventListener } from './queue-events.js';
import { redisOptions } from './redis-connection.js';

/**
 * A plain Redis connection (schedule claims, cancel messages) that also tells whether Redis is
 * reachable: one `queue-unreachable` per outage (ioredis reconnects with backoff meanwhile, and
 * BullMQ's own connections do the same), one `queue-reachable` when it answers again.
 */
export class RedisWatch {
  readonly redis: Redis;
  #reachable = false;
  #everReady = false;
  #down = false;
  #closing = false;
  #onLost: Array<() => void> = [];

  constructor(url: string, role: 'sync' | 'worker', emit: QueueEventListener) {
    this.redis = new Redis({ ...redisOptions(url), lazyConnect: false });
    this.redis.on('ready', () => {
      this.#reachable = true;
      if (this.#down) emit({ type: 'queue-reachable', role, time: Date.now() });
      this.#down = false;
      this.#everReady = true;
    });
    const lost = (message: string): void => {
      this.#reachable = false;
      for (const resolve of this.#onLost.splice(0)) resolve();
      if (this.#down || this.#closing) return;
      this.#down = true;
      emit({ type: 'queue-unreachable', role, message, time: Date.now() });
    };
    this.redis.on('error', (error: unknown) => lost(errorMessage(error)));
    this.redis.on('close', () => {
      if (this.#everReady) lost('the connection to Redis was closed');
    });
  }

  /** Whether Redis answered last time it was asked (false before the first connection). */
  get reachable(): boolean {
    return this.#reachable;
  }

  /** Resolves when Redis cannot be reached: now, or at its next loss. */
  unreachable(): Promise<void> {
    if (!this.#reachable) return Promise.resolve();
    return new Promise((resolve) => this.#onLost.push(resolve));
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
