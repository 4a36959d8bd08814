import { setTimeout as delay } from 'node:timers/promises';
import { PictureBookError } from '../errors/index.js';
import type { HostEvent } from './host-events.js';

/** `100;w=21600` (Docker Hub's `ratelimit-limit` / `ratelimit-remaining`): the count and its window in seconds. */
export function parseRateLimit(value: string | undefined): { count: number; windowSeconds: number | undefined } | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/i.exec(value);
  if (!match) return undefined;
  return { count: Number(match[1]), windowSeconds: match[2] === undefined ? undefined : Number(match[2]) };
}

/** Docker Hub counts pulls on manifest GETs (a HEAD is free): the requests the quota pauses. */
export function countsAgainstQuota(method: string, url: URL): boolean {
  return method === 'GET' && /\/manifests\/[^/]+$/.test(url.pathname);
}

/** The default of `quotaWaitSeconds`: Docker Hub's window, 6 hours. */
export const DEFAULT_QUOTA_WAIT_SECONDS = 21_600;

interface Reading {
  limit: number | undefined;
  remaining: number;
  windowSeconds: number | undefined;
  at: number;
}

/**
 * A host's pull quota as its answers say it, and the manifest GETs it lets through: one goes only
 * when at least `reserve` pulls would be left after it and the GETs not yet answered. Below that,
 * GETs wait (every copy of the process alike) until an answer says the quota allows again (HEADs
 * keep going and carry the headers too; `probe` sends one now and then), or until the window the
 * reading came with has passed, when every pull it counted has left it.
 */
export class QuotaKeeper {
  readonly host: string;
  reserve: number | undefined;
  waitSeconds: number | undefined;
  #reading: Reading | undefined;
  /** Manifest GETs sent whose answers have not been read: the registry may not have counted them yet. */
  #pending = 0;
  #pausedSince: number | undefined;
  #changed = new Set<() => void>();
  #probing = false;
  #emit: (event: HostEvent) => void;
  #now: () => number;
  /** Sends one quota-free request whose answer may carry the headers (a HEAD of a manifest). */
  probe: (() => Promise<void>) | undefined;

  constructor(host: string, emit: (event: HostEvent) => void, now: () => number) {
    this.host = host;
    this.#emit = emit;
    this.#now = now;
  }

  /** Waits until a GET counting against the quota may go, and counts it; throws QUOTA_EXHAUSTED past the wait allowed. */
  async admit(signal: AbortSignal | undefined): Promise<void> {
    const started = this.#now();
    const maxWaitMs = (this.waitSeconds ?? DEFAULT_QUOTA_WAIT_SECONDS) * 1000;
    while (!this.#allows()) {
      this.#pause(maxWaitMs);
      const left = started + maxWaitMs - this.#now();
      if (left <= 0) throw this.#exhausted(maxWaitMs);
      await this.#nextChange(Math.min(left, this.#probeEveryMs(), this.#windowLeftMs()), signal);
    }
    this.#pending++;
  }

  /** An answer came: its headers (if any) are the new reading; `counted` when it answered an admitted GET. */
  answered(headers: { limit: string | undefined; remaining: string | undefined }, counted: boolean): void {
    if (counted) this.#pending = Math.max(0, this.#pending - 1);
    const remaining = parseRateLimit(headers.remaining);
    if (remaining) {
      const limit = parseRateLimit(headers.limit);
      const before = this.#reading?.remaining;
      const windowSeconds = remaining.windowSeconds ?? limit?.windowSeconds;
      this.#reading = { limit: limit?.count, remaining: remaining.count, windowSeconds, at: this.#now() };
      if (before !== remaining.count) {
        this.#emit({
          type: 'host-quota',
          host: this.host,
          limit: limit?.count,
          remaining: remaining.count,
          windowSeconds,
          time: this.#now(),
        });
      }
    }
    this.#wake();
  }

  #allows(): boolean {
    const reading = this.#reading;
    const reserve = this.reserve;
    if (reserve === undefined || !reading) return this.#resume();
    if (reading.windowSeconds !== undefined && this.#now() >= reading.at + reading.windowSeconds * 1000) {
      // Every pull that reading counted has left the window: the quota is whole again, as far as we know.
      this.#reading = undefined;
      return this.#resume();
    }
    return reading.remaining - this.#pending > reserve ? this.#resume() : false;
  }

  #pause(maxWaitMs: number): void {
    if (!this.#reading) return;
    void this.#probeWhilePaused();
    if (this.#pausedSince !== undefined) return;
    this.#pausedSince = this.#now();
    const { remaining, limit, windowSeconds } = this.#reading;
    this.#emit({
      type: 'host-paused',
      host: this.host,
      reason: 'quota',
      remaining,
      limit,
      windowSeconds,
      reserve: this.reserve ?? 0,
      maxWaitMs,
      time: this.#now(),
    });
  }

  #resume(): true {
    if (this.#pausedSince !== undefined) {
      const pausedMs = this.#now() - this.#pausedSince;
      this.#pausedSince = undefined;
      this.#emit({ type: 'host-resumed', host: this.host, reason: 'quota', pausedMs, time: this.#now() });
    }
    return true;
  }

  /** Now and then while GETs wait, a probe asks the registry how much is left (its answer wakes them). */
  async #probeWhilePaused(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    try {
      // Started before the first GET waits (admit pauses, then waits): who waits is looked at after the delay.
      while (this.#isPaused()) {
        // Unreferenced: a pause never keeps the process alive on its own.
        await delay(this.#probeEveryMs(), undefined, { ref: false });
        if (!this.#isPaused() || this.#changed.size === 0) break;
        await this.probe?.().catch(() => undefined);
      }
    } finally {
      this.#probing = false;
    }
  }

  /** Read through a method: the pause ends in another task while the prober awaits. */
  #isPaused(): boolean {
    return this.#pausedSince !== undefined;
  }

  /** A tenth of the window, between 1 second and 1 minute (Docker Hub: every minute). */
  #probeEveryMs(): number {
    const windowMs = (this.#reading?.windowSeconds ?? 600) * 1000;
    return Math.min(60_000, Math.max(1_000, windowMs / 10));
  }

  #windowLeftMs(): number {
    const reading = this.#reading;
    if (reading?.windowSeconds === undefined) return Infinity;
    return Math.max(0, reading.at + reading.windowSeconds * 1000 - this.#now());
  }

  #nextChange(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const cleanUp = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#changed.delete(done);
      };
      const done = (): void => {
        cleanUp();
        resolve();
      };
      const onAbort = (): void => {
        cleanUp();
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(done, Math.max(1, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#changed.add(done);
    });
  }

  #wake(): void {
    for (const wake of [...this.#changed]) wake();
  }

  #exhausted(maxWaitMs: number): PictureBookError {
    const reading = this.#reading;
    const left = reading ? `${reading.remaining}${reading.limit === undefined ? '' : ` of ${reading.limit}`} pulls left` : 'pull quota low';
    return new PictureBookError(
      'QUOTA_EXHAUSTED',
      `${this.host}: ${left}, not more than the reserve of ${this.reserve ?? 0} (quotaReserve); a manifest GET waited ${maxWaitMs / 1000}s for the quota (quotaWaitSeconds)`,
    );
  }
}
