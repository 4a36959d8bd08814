import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import { targetClaimKey } from './queue-names.js';

/** A claim lapses this long after its worker stopped renewing it (killed): another worker may then write the image. */
const CLAIM_MS = 30_000;
const RENEW_EVERY_MS = CLAIM_MS / 3;
/** How often a worker waiting for a claim asks again (the holder's end frees it at once, a dead holder's lapses). */
const ASK_EVERY_MS = 250;
// Renews or frees the claim only while it is still ours (it may have lapsed and been taken by another worker).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * De-duplication of copies while they run, across every worker: before writing an image, a
 * worker claims `target@digest` in Redis (SET NX with expiry, renewed while it copies). A second
 * job for the same tag and digest (another `sync` server, another rule or source naming the same
 * content) waits for the first, then finds the target up to date: the image is written once.
 */
export class TargetClaims {
  #redis: Redis;
  #settings: Pick<QueueSettings, 'name'>;

  constructor(redis: Redis, settings: Pick<QueueSettings, 'name'>) {
    this.#redis = redis;
    this.#settings = settings;
  }

  /** Resolves once this worker holds `target@digest` (`waited`: another held it first); `onWait` hears the first refusal. */
  async hold(target: string, digest: string, signal: AbortSignal, onWait: () => void): Promise<{ waited: boolean; release: () => void }> {
    const key = targetClaimKey(this.#settings, createHash('sha256').update(`${target}@${digest}`).digest('hex').slice(0, 32));
    const token = randomUUID();
    let waited = false;
    for (;;) {
      signal.throwIfAborted();
      if ((await this.#redis.set(key, token, 'PX', CLAIM_MS, 'NX')) === 'OK') break;
      if (!waited) onWait();
      waited = true;
      await sleep(ASK_EVERY_MS, undefined, { signal });
    }
    const renew = setInterval(() => void this.#redis.eval(RENEW, 1, key, token, CLAIM_MS).catch(() => undefined), RENEW_EVERY_MS);
    renew.unref();
    return {
      waited,
      release: () => {
        clearInterval(renew);
        // Redis down: the claim lapses by itself.
        void this.#redis.eval(RELEASE, 1, key, token).catch(() => undefined);
      },
    };
  }
}
