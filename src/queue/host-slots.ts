import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import { hostSlotsKey } from './queue-names.js';

/** How often a worker waiting for a slot asks again (a holder's end frees it at once, a dead holder's lapses). */
const ASK_EVERY_MS = 250;

// A host's slots are a sorted set: a member per lease, scored by when it lapses (Redis's own clock,
// so workers on hosts with skewed clocks agree). Taking or renewing first drops the lapsed leases:
// a worker killed with kill -9 stops renewing, and its slot frees itself after one lease.
const TAKE = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 1
end
return 0`;

export interface HostSlot {
  /** Another copy held the host's slots first: this one waited. */
  waited: boolean;
  release: () => void;
}

/**
 * At most `limit` copies at once reading from one source host, across every worker of the queue (a
 * counting semaphore in Redis with expiring leases, renewed while the copy runs). `leaseMs` is how
 * long the slot of a worker that stopped renewing it (killed, cut off) stays taken.
 */
export class HostSlots {
  #redis: Redis;
  #settings: Pick<QueueSettings, 'name'>;
  #leaseMs: number;

  constructor(redis: Redis, settings: Pick<QueueSettings, 'name'>, leaseMs: number) {
    this.#redis = redis;
    this.#settings = settings;
    this.#leaseMs = leaseMs;
  }

  /** Resolves once this worker holds one of `host`'s `limit` slots; `onWait` hears the first refusal. */
  async take(host: string, limit: number, signal: AbortSignal, onWait: () => void): Promise<HostSlot> {
    const key = hostSlotsKey(this.#settings, host);
    const token = randomUUID();
    const tryTake = async (): Promise<boolean> => (await this.#redis.eval(TAKE, 1, key, token, limit, this.#leaseMs)) === 1;
    let waited = false;
    for (;;) {
      signal.throwIfAborted();
      if (await tryTake()) break;
      if (!waited) onWait();
      waited = true;
      await sleep(ASK_EVERY_MS, undefined, { signal });
    }
    // Renewing re-takes a lease that lapsed meanwhile (a worker paused too long) only while a slot is free.
    const renew = setInterval(() => void tryTake().catch(() => undefined), this.#leaseMs / 3);
    renew.unref();
    let held = true;
    return {
      waited,
      release: () => {
        if (!held) return;
        held = false;
        clearInterval(renew);
        // Redis down: the lease lapses by itself.
        void this.#redis.zrem(key, token).catch(() => undefined);
      },
    };
  }
}
