import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { HostEvent, HostLimits } from './host-events.js';
import { countsAgainstQuota, QuotaKeeper } from './quota.js';
import { parseRetryAfter } from './retry-policy.js';
import { TokenBucket } from './token-bucket.js';
import { Turns } from './turns.js';

/** A request let through the gate: tell it the answer, and give its turn back when the body is done. */
export interface GatePass {
  answered(status: number, header: (name: string) => string | undefined): void;
  /** Gives the turn back when `body` is read to the end or destroyed (at once when it already is). */
  releaseWith(body: Readable): void;
  release(): void;
}

/** How long everyone waits after a 429 without `Retry-After`: doubling from 1 s, at most a minute (unless set). */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/**
 * A 429 inside a pause that puts its end at least this much later is told (`lengthened`): other
 * processes (queue workers) pause as long. Less is the jitter of answers to requests sent together.
 */
const TOLD_LENGTHENING_MS = 1_000;

export interface GateBackoff {
  baseMs: number;
  maxMs: number;
}

/**
 * Every request of the process to one registry host passes here first, whichever copy, run or job
 * sends it: a 429 pauses them all (for its `Retry-After`, else a growing backoff), the pull quota
 * holds manifest GETs at its reserve, `requestsPerSecond` paces them and `maxConcurrent` bounds
 * those in flight (until the answer's body is read).
 */
export class HostGate {
  readonly host: string;
  readonly quota: QuotaKeeper;
  #turns: Turns;
  #bucket: TokenBucket;
  #emit: (event: HostEvent) => void;
  #now: () => number;
  #backoffUntil = 0;
  #backoffLevel = 0;
  #backoffSince: number | undefined;
  /** The end of the pause as last told in a `host-paused` event. */
  #toldUntil = 0;

  /**
   * The pause after a 429 without `Retry-After`. A transport sets it from its retry policy, so that
   * the host's pauses stay within the delays the user allowed (the last endpoint's policy wins, as limits do).
   */
  backoff: GateBackoff = { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS };

  constructor(host: string, limits: HostLimits, emit: (event: HostEvent) => void, now: () => number = Date.now) {
    this.host = host;
    this.#emit = emit;
    this.#now = now;
    this.#turns = new Turns(limits.maxConcurrent);
    this.#bucket = new TokenBucket(limits.requestsPerSecond, now);
    this.quota = new QuotaKeeper(host, emit, now);
    this.limits = limits;
  }

  /** The limits in force; setting them applies to requests from now on (a reload). */
  set limits(limits: HostLimits) {
    this.#turns.limit = limits.maxConcurrent;
    this.#bucket.rate = limits.requestsPerSecond;
    this.quota.reserve = limits.quotaReserve;
    this.quota.waitSeconds = limits.quotaWaitSeconds;
  }

  /** Requests to this host in flight now. */
  get inFlight(): number {
    return this.#turns.held;
  }

  /**
   * Waits until the request may be sent. `waitForTurn` false: a turn is taken beside `maxConcurrent`
   * (an upload fed by a download from this same host, which holds a turn already: waiting for another
   * could wait forever on turns held by downloads whose uploads wait too).
   */
  async enter(method: string, url: URL, signal: AbortSignal | undefined, waitForTurn = true): Promise<GatePass> {
    while (this.#now() < this.#backoffUntil) {
      await delay(this.#backoffUntil - this.#now(), undefined, signal ? { signal } : undefined);
    }
    this.#resumeAfterBackoff();
    const counted = countsAgainstQuota(method, url);
    if (counted) await this.quota.admit(signal);
    let release: () => void;
    try {
      await this.#bucket.take(signal);
      release = await this.#turns.take(signal, waitForTurn);
    } catch (error) {
      if (counted) this.quota.answered({ limit: undefined, remaining: undefined }, true);
      throw error;
    }
    let answered = false;
    return {
      answered: (status, header) => {
        if (answered) return;
        answered = true;
        this.quota.answered({ limit: header('ratelimit-limit'), remaining: header('ratelimit-remaining') }, counted);
        this.#afterStatus(status, header('retry-after'));
      },
      releaseWith: (body) => {
        if (body.destroyed || body.readableEnded) return release();
        body.once('end', release).once('close', release);
      },
      release: () => {
        if (counted && !answered) this.quota.answered({ limit: undefined, remaining: undefined }, true);
        answered = true;
        release();
      },
    };
  }

  /**
   * Pauses the host for `waitMs` from now, as a 429 another process saw says (a worker of the same
   * queue): requests wait as after a 429 of this process. No event: the process that got it reports it.
   */
  pauseFor(waitMs: number): void {
    const until = this.#now() + waitMs;
    if (until > this.#backoffUntil) this.#backoffUntil = until;
  }

  #afterStatus(status: number, retryAfter: string | undefined): void {
    if (status !== 429) {
      if (status < 400) this.#backoffLevel = 0;
      return;
    }
    const given = parseRetryAfter(retryAfter);
    const waitMs = given ?? Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** this.#backoffLevel);
    this.#backoffLevel++;
    const until = this.#now() + waitMs;
    if (until <= this.#backoffUntil) return;
    this.#backoffUntil = until;
    // One event per pause, not per 429 inside it; but one that makes it markedly longer is told.
    const lengthened = this.#backoffSince !== undefined;
    if (lengthened && until - this.#toldUntil < TOLD_LENGTHENING_MS) return;
    this.#backoffSince ??= this.#now();
    this.#toldUntil = until;
    this.#emit({
      type: 'host-paused',
      host: this.host,
      reason: 'rate-limited',
      waitMs,
      retryAfter: given !== undefined,
      ...(lengthened ? { lengthened: true as const } : {}),
      time: this.#now(),
    });
  }

  #resumeAfterBackoff(): void {
    if (this.#backoffSince === undefined || this.#now() < this.#backoffUntil) return;
    const pausedMs = this.#now() - this.#backoffSince;
    this.#backoffSince = undefined;
    this.#emit({ type: 'host-resumed', host: this.host, reason: 'rate-limited', pausedMs, time: this.#now() });
  }
}
