import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import { hostSlotsKey } from './queue-names.js';

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

  /**
   * One of `host`'s `limit` slots, or undefined when all are taken. A job that gets none is set
   * aside by its worker (which then takes other jobs) rather than waiting here with its worker's slot.
   */
  async tryTake(host: string, limit: number): Promise<HostSlot | undefined> {
    const key = hostSlotsKey(this.#settings, host);
    const token = randomUUID();
    const tryTake = async (): Promise<boolean> => (await this.#redis.eval(TAKE, 1, key, token, limit, this.#leaseMs)) === 1;
    if (!(await tryTake())) return undefined;
    // Renewing re-takes a lease that lapsed meanwhile (a worker paused too long) only while a slot is free.
    const renew = setInterval(() => void tryTake().catch(() => undefined), this.#leaseMs / 3);
    renew.unref();
    let held = true;
    return {
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
