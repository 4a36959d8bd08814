/** A bearer token and when to stop using it. */
export interface CachedToken {
  token: string;
  /** Epoch ms after which the token is not used any more (already shortened by a safety margin). */
  expiresAt: number;
}

// Registries hand out tokens valid for as little as 60 s; the spec says treat anything shorter as 60.
const MIN_LIFETIME_S = 60;
// Renew a little early so a token never expires between our check and the registry's.
const RENEW_MARGIN_MS = 10_000;

/** Seconds of validity from a token reply's `expires_in`, applying the spec's 60 s floor. */
export function tokenLifetimeSeconds(expiresIn: unknown): number {
  const n = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? expiresIn : MIN_LIFETIME_S;
  return Math.max(n, MIN_LIFETIME_S);
}

/** Tokens of one registry host, keyed by the set of scopes they were granted for. */
export class TokenCache {
  #entries = new Map<string, CachedToken>();
  #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get(scopeKey: string): string | undefined {
    const entry = this.#entries.get(scopeKey);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(scopeKey);
      return undefined;
    }
    return entry.token;
  }

  set(scopeKey: string, token: string, expiresInSeconds: number): void {
    const lifetimeMs = tokenLifetimeSeconds(expiresInSeconds) * 1000;
    this.#entries.set(scopeKey, { token, expiresAt: this.#now() + lifetimeMs - RENEW_MARGIN_MS });
  }

  delete(scopeKey: string): void {
    this.#entries.delete(scopeKey);
  }
}
