import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import { targetClaimKey } from './queue-names.js';
import { takeLease, type Lease } from './redis-lease.js';

/** A claim lapses this long after its worker stopped renewing it (killed): another worker may then write the image. */
const CLAIM_MS = 30_000;
/** How often a worker waiting for a claim asks again (the holder's end frees it at once, a dead holder's lapses). */
const ASK_EVERY_MS = 250;

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
  async hold(target: string, digest: string, signal: AbortSignal, onWait: () => void): Promise<Lease> {
    const key = targetClaimKey(this.#settings, createHash('sha256').update(`${target}@${digest}`).digest('hex').slice(0, 32));
    return takeLease(this.#redis, key, { leaseMs: CLAIM_MS, askEveryMs: ASK_EVERY_MS, signal, onWait });
  }
}
