/**
 * What happens to one registry host for every copy of the process at once: its pull quota as the
 * registry reports it, and pauses (the quota down to its reserve, or a 429 that slows the host for
 * everyone). `host` is the registry as in a reference (`docker.io`, `[::1]:5000`). Told once per
 * change to the listener of the process (RegistryClients' `onHostEvent`), not to each copy.
 */
export type HostEvent =
  /** The registry's `ratelimit-remaining` changed: `remaining` of `limit` requests left in a window of `windowSeconds`. */
  | { type: 'host-quota'; host: string; limit: number | undefined; remaining: number; windowSeconds: number | undefined; time: number }
  /**
   * Requests to the host wait. `quota`: only `reserve` pulls are left, so manifest GETs wait until the
   * quota allows again (at most `windowSeconds`; a GET that waits `maxWaitMs` fails with QUOTA_EXHAUSTED).
   * `rate-limited`: a 429 answer; every request waits `waitMs` (its `Retry-After`, else a backoff).
   */
  | {
      type: 'host-paused';
      host: string;
      reason: 'quota';
      remaining: number;
      limit: number | undefined;
      windowSeconds: number | undefined;
      reserve: number;
      maxWaitMs: number;
      time: number;
    }
  /** `lengthened`: another 429 came during the pause and put its end `waitMs` from now (one event per pause otherwise). */
  | { type: 'host-paused'; host: string; reason: 'rate-limited'; waitMs: number; retryAfter: boolean; lengthened?: true; time: number }
  /** Requests go again, after waiting `pausedMs`. */
  | { type: 'host-resumed'; host: string; reason: 'quota' | 'rate-limited'; pausedMs: number; time: number };

export type HostEventListener = (event: HostEvent) => void;

/** Limits of one host, for every request of the process to it (see HostGate). */
export interface HostLimits {
  /** Requests in flight at once (an answer's body counts until read to the end). */
  maxConcurrent?: number | undefined;
  /** Requests started per second, on average (a burst of one second's worth). */
  requestsPerSecond?: number | undefined;
  /** Pulls of the registry's quota (`ratelimit-remaining`) left untouched: manifest GETs wait below it. */
  quotaReserve?: number | undefined;
  /** How long one manifest GET waits for the quota before its image fails (default 6 hours). */
  quotaWaitSeconds?: number | undefined;
}
