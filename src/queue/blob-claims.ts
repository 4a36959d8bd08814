import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import type { SharedBlobs } from '../copy/index.js';
import { blobSightingsKey, blobUploadKey } from './queue-names.js';

/** An upload claim lapses this long after its worker stopped renewing it (killed): another worker then uploads. */
const CLAIM_MS = 30_000;
const RENEW_EVERY_MS = CLAIM_MS / 3;
/** How often a worker waiting for an upload asks again (the holder's end frees it at once, a dead holder's lapses). */
const ASK_EVERY_MS = 100;
/** A Redis command unanswered this long counts as failed (the blob is uploaded without sharing). */
const COMMAND_MS = 5_000;
/** How long a sighting counts, as in this process's own (blob-locations.ts): registries change under a long-lived worker. */
const SIGHTING_MS = 10 * 60_000;
// Renews or frees the claim only while it is still ours (it may have lapsed and been taken by another worker).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * The blob uploads of every worker, shared through Redis: one worker at a time uploads a blob to
 * one target registry (SET NX on `host@digest`, renewed while it uploads, same pattern as
 * target-claims.ts); the others wait, then mount it from the repository it recorded. Sightings are
 * a sorted set per `host@digest` (repository -> when), read newest first and trimmed as they age.
 */
export class BlobClaims implements SharedBlobs {
  #redis: Redis;
  #settings: Pick<QueueSettings, 'name'>;
  #reachable: () => boolean;

  /** `reachable`: whether Redis answers now; while it does not, every call fails at once (the copier then uploads). */
  constructor(redis: Redis, settings: Pick<QueueSettings, 'name'>, reachable: () => boolean = () => true) {
    this.#redis = redis;
    this.#settings = settings;
    this.#reachable = reachable;
  }

  async sightings(place: string, digest: string): Promise<string[]> {
    const key = blobSightingsKey(this.#settings, place, digest);
    return this.#bounded(() => this.#redis.zrevrangebyscore(key, '+inf', Date.now() - SIGHTING_MS));
  }

  async sighted(place: string, digest: string, repository: string): Promise<void> {
    const key = blobSightingsKey(this.#settings, place, digest);
    await this.#bounded(() =>
      this.#redis
        .multi()
        .zadd(key, Date.now(), repository)
        .zremrangebyscore(key, '-inf', Date.now() - SIGHTING_MS)
        .pexpire(key, SIGHTING_MS)
        .exec(),
    );
  }

  async claimUpload(place: string, digest: string, signal: AbortSignal | undefined): Promise<{ waited: boolean; release: () => void }> {
    const key = blobUploadKey(this.#settings, place, digest);
    const token = randomUUID();
    let waited = false;
    for (;;) {
      signal?.throwIfAborted();
      if ((await this.#bounded(() => this.#redis.set(key, token, 'PX', CLAIM_MS, 'NX'))) === 'OK') break;
      waited = true;
      // Aborted: rejects with the signal's reason, as throwIfAborted does.
      await sleep(ASK_EVERY_MS, undefined, signal ? { signal } : undefined).catch((error: unknown) => {
        throw signal?.aborted ? signal.reason : error;
      });
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

  /** A command while Redis is away would wait for its return (maxRetriesPerRequest: null): a copy must not. */
  async #bounded<T>(send: () => Promise<T>): Promise<T> {
    if (!this.#reachable()) throw new Error('redis unreachable');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('redis did not answer')), COMMAND_MS);
    });
    try {
      return await Promise.race([send(), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
