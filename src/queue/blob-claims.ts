import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import type { SharedBlobs } from '../copy/index.js';
import { blobSightingsKey, blobUploadKey } from './queue-names.js';
import { takeLease, type Lease } from './redis-lease.js';

/** An upload claim lapses this long after its worker stopped renewing it (killed): another worker then uploads. */
const CLAIM_MS = 30_000;
/** How often a worker waiting for an upload asks again (the holder's end frees it at once, a dead holder's lapses). */
const ASK_EVERY_MS = 100;
/** A Redis command unanswered this long counts as failed (the blob is uploaded without sharing). */
const COMMAND_MS = 5_000;
/** How long a sighting counts, as in this process's own (blob-locations.ts): registries change under a long-lived worker. */
const SIGHTING_MS = 10 * 60_000;
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

  async claimUpload(place: string, digest: string, signal: AbortSignal | undefined): Promise<Lease> {
    const key = blobUploadKey(this.#settings, place, digest);
    const send = (command: () => Promise<string | null>): Promise<string | null> => this.#bounded(command);
    return takeLease(this.#redis, key, { leaseMs: CLAIM_MS, askEveryMs: ASK_EVERY_MS, signal, send, abortWithReason: true });
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
