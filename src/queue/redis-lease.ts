import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

// Renews or frees the lease only while it is still ours (it may have lapsed and been taken by another worker).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** A key one worker holds at a time; `waited`: another held it first. */
export interface Lease {
  waited: boolean;
  release: () => void;
}

export interface LeaseOptions {
  /** The lease lapses this long after its holder stopped renewing it (killed); renewed every third of it. */
  leaseMs: number;
  /** How often a refused taker asks again (the holder's release frees it at once, a dead holder's lapses). */
  askEveryMs: number;
  signal?: AbortSignal | undefined;
  /** Hears the first refusal. */
  onWait?: () => void;
  /** Sends the taking command (e.g. bounded in time); default: as it is. */
  send?: (command: () => Promise<string | null>) => Promise<string | null>;
  /** An abort while waiting rejects with the signal's reason (as throwIfAborted does) rather than an AbortError. */
  abortWithReason?: boolean;
}

/**
 * Takes `key` in Redis (SET NX with expiry, a token of this taker), waiting while another holds
 * it; renews it until released. Redis down: the renewals and the release fail quietly, and the
 * lease lapses by itself.
 */
export async function takeLease(redis: Redis, key: string, options: LeaseOptions): Promise<Lease> {
  const { leaseMs, askEveryMs, signal } = options;
  const send = options.send ?? ((command) => command());
  const token = randomUUID();
  let waited = false;
  for (;;) {
    signal?.throwIfAborted();
    if ((await send(() => redis.set(key, token, 'PX', leaseMs, 'NX'))) === 'OK') break;
    if (!waited) options.onWait?.();
    waited = true;
    const asked = sleep(askEveryMs, undefined, signal ? { signal } : undefined);
    await (options.abortWithReason
      ? asked.catch((error: unknown) => {
          throw signal?.aborted ? signal.reason : error;
        })
      : asked);
  }
  const renew = setInterval(() => void redis.eval(RENEW, 1, key, token, leaseMs).catch(() => undefined), leaseMs / 3);
  renew.unref();
  return {
    waited,
    release: () => {
      clearInterval(renew);
      void redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    },
  };
}
