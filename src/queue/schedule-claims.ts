import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import { runLockKey, tickKey } from './queue-names.js';

/** A tick's claim outlives any clock skew between servers and any run start; then Redis forgets it. */
const TICK_CLAIM_MS = 24 * 60 * 60 * 1000;
/** The run lock lapses this long after its server stopped renewing it (died): another server may then run the registry. */
const RUN_LOCK_MS = 30_000;
const RENEW_EVERY_MS = RUN_LOCK_MS / 3;

// Renews or frees the lock only while it is still ours (it may have lapsed and been taken by another server).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Schedules shared by several `sync` servers through Redis (the scheduler's RunClaims): each
 * tick of a registry's schedule is claimed by one server (SET NX on the tick's planned time, the
 * same on every server), and a run holds a lock with expiry, renewed while it goes, so a registry
 * never runs on two servers at once, and a dead server's lock lapses.
 */
export class ScheduleClaims {
  #redis: Redis;
  #settings: Pick<QueueSettings, 'name'>;
  readonly server = randomUUID();

  constructor(redis: Redis, settings: Pick<QueueSettings, 'name'>) {
    this.#redis = redis;
    this.#settings = settings;
  }

  async claim(
    registry: string,
    trigger: string,
    scheduledAt: number | undefined,
    signal: AbortSignal,
  ): Promise<{ release(): Promise<void> } | undefined> {
    const redis = this.#redis;
    const stopped = new Promise<undefined>((resolve) => {
      if (signal.aborted) resolve(undefined);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    // Redis down: the claim waits for it (ioredis retries), unless the run is stopped meanwhile.
    const until = <T>(work: Promise<T>): Promise<T | undefined> => Promise.race([work, stopped]);
    if (trigger === 'schedule' && scheduledAt !== undefined) {
      const tick = await until(redis.set(tickKey(this.#settings, registry, scheduledAt), this.server, 'PX', TICK_CLAIM_MS, 'NX'));
      if (tick !== 'OK') return undefined;
    }
    const key = runLockKey(this.#settings, registry);
    const token = `${this.server}:${randomUUID()}`;
    const locked = await until(redis.set(key, token, 'PX', RUN_LOCK_MS, 'NX'));
    if (locked !== 'OK') return undefined;
    const renew = setInterval(() => void redis.eval(RENEW, 1, key, token, RUN_LOCK_MS).catch(() => undefined), RENEW_EVERY_MS);
    renew.unref();
    return {
      release: async () => {
        clearInterval(renew);
        // Redis down: the lock lapses by itself; a stop does not wait for it.
        await Promise.race([redis.eval(RELEASE, 1, key, token).catch(() => undefined), sleep(2_000, undefined, { ref: false })]);
      },
    };
  }
}
