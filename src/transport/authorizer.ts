import type { Credentials } from '../auth/credentials.js';
import { parseWwwAuthenticate } from '../auth/challenge.js';
import { mergeScopes, scopeSetKey } from '../auth/scope.js';
import { TokenCache } from '../auth/token-cache.js';
import type { RetryListener } from './http-send.js';
import { fetchToken, type BearerChallenge, type TokenFetchContext } from './token-fetcher.js';

type KnownChallenge = { scheme: 'basic' } | ({ scheme: 'bearer' } & BearerChallenge);

/**
 * Produces the Authorization header for a registry host. Learns the scheme from the first 401
 * (there is no other way to know it), then pre-authorises every later request: Basic on each
 * request, or a Bearer token per scope set, cached until it expires.
 */
export class Authorizer {
  #credentials: Credentials | undefined;
  #context: TokenFetchContext;
  #challenge: KnownChallenge | undefined;
  #tokens = new TokenCache();
  #pending = new Map<string, Promise<string>>();

  #staticHeader: string | undefined;

  constructor(context: TokenFetchContext, credentials: Credentials | undefined, staticToken?: { token: string; type?: string }) {
    this.#context = context;
    this.#credentials = credentials;
    this.#staticHeader = staticToken ? `${staticToken.type ?? 'Bearer'} ${staticToken.token}` : undefined;
  }

  /**
   * The header for a request needing `scopes`, or undefined while no challenge is known. A token
   * fetched for it reports its retries to `onRetry`, the listener of the request that started the
   * fetch (requests joining a fetch under way wait for it without hearing of its retries).
   */
  async header(scopes: readonly string[], onRetry?: RetryListener): Promise<string | undefined> {
    if (this.#staticHeader) return this.#staticHeader;
    const challenge = this.#challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') return this.#credentials?.basicHeader();
    return `Bearer ${await this.#token(challenge, scopes, onRetry)}`;
  }

  /**
   * Learns from a 401. Returns the scopes to retry with, or undefined when retrying cannot help
   * (unknown scheme, or Basic with no credentials to offer).
   */
  onUnauthorized(wwwAuthenticate: string | undefined, scopes: readonly string[]): string[] | undefined {
    // A token given out of band cannot be renewed here: a 401 with it is final.
    if (this.#staticHeader) return undefined;
    const challenges = wwwAuthenticate ? parseWwwAuthenticate(wwwAuthenticate) : [];
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = challenges.find((c) => c.scheme === 'basic');
    let retryScopes = [...scopes];
    if (bearer) {
      this.#challenge = { scheme: 'bearer', realm: bearer.params.realm ?? '', service: bearer.params.service };
      // The registry may name the scope it wants (e.g. after insufficient_scope): ask for it too.
      if (bearer.params.scope) retryScopes = mergeScopes([...scopes, ...bearer.params.scope.split(' ')]);
      this.#tokens.delete(scopeSetKey(scopes));
      return retryScopes;
    }
    if (basic && this.#credentials) {
      this.#challenge = { scheme: 'basic' };
      return retryScopes;
    }
    return undefined;
  }

  /**
   * Why the registry still answered 401, in words that tell missing credentials from rejected
   * ones (the AuthError's message names the registry before this).
   */
  refusal(wwwAuthenticate: string | undefined, scopes: readonly string[]): string {
    if (this.#staticHeader) return 'the token given for this registry was rejected';
    const challenges = wwwAuthenticate ? parseWwwAuthenticate(wwwAuthenticate) : [];
    const bearer: { params: Record<string, string> } | undefined =
      challenges.find((c) => c.scheme === 'bearer') ?? (this.#challenge?.scheme === 'bearer' ? { params: {} } : undefined);
    const wanted = bearer?.params.scope ?? scopes.join(' ');
    const user = this.#credentials?.username;
    if (user === undefined) {
      return bearer
        ? `no credentials were configured for this registry, and it refuses anonymous access${wanted ? ` to ${wanted}` : ''}`
        : 'no credentials were configured for this registry, which asks for them';
    }
    if (bearer?.params.error === 'insufficient_scope') return `user "${user}" was not granted ${wanted || 'the access asked for'}`;
    if (bearer) return `the token issued to user "${user}" was rejected by this registry`;
    return `credentials for user "${user}" were rejected by this registry`;
  }

  /** Forget the token for these scopes (it was refused although still valid by its clock). */
  invalidate(scopes: readonly string[]): void {
    this.#tokens.delete(scopeSetKey(scopes));
  }

  async #token(challenge: BearerChallenge, scopes: readonly string[], onRetry: RetryListener | undefined): Promise<string> {
    const key = scopeSetKey(scopes);
    const cached = this.#tokens.get(key);
    if (cached) return cached;
    // Concurrent requests for the same scopes share one token fetch.
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = fetchToken(this.#context, challenge, mergeScopes(scopes), this.#credentials, onRetry)
        .then((reply) => {
          this.#tokens.set(key, reply.token, reply.expiresIn);
          return reply.token;
        })
        .finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }
}
