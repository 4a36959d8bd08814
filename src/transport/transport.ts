import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { AuthError, HttpError, NetworkError } from '../errors/index.js';
import type { AgentPool } from './agent-pool.js';
import type { HostGates } from './host-gates.js';
import { Authorizer } from './authorizer.js';
import { isNotTlsError, schemePlan, type EndpointOptions, type SchemePlan } from './endpoint.js';
import { headerValue, replayable, sendWithRetry, type RequestBody, type RetryListener } from './http-send.js';
import { discardBody } from './read-body.js';
import { redactUrl } from './redact-url.js';
import { responseError } from './response-error.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from './retry-policy.js';
import { DEFAULT_TIMEOUTS, type Timeouts } from './timeouts.js';
import { TransportAgents } from './transport-agents.js';
import { PROBE_ACCEPT, TransportGate } from './transport-gate.js';
import { USER_AGENT } from './user-agent.js';

export interface TransportRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path below the registry ('/v2/...'), or an absolute URL such as an upload `Location`. */
  path: string | URL;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Token scopes this request needs, e.g. `repository:library/app:pull`. */
  scopes: readonly string[];
  /** Statuses the caller handles; any other becomes a typed error. */
  expect: readonly number[];
  signal?: AbortSignal | undefined;
  /** The answer is a blob: its body is held to the minimum rate, not to the read deadline. */
  blob?: boolean;
  /**
   * Told of every retry this request makes, its token fetch included: the caller's own listener, as
   * a transport serves every copy of the process and cannot know whose request it is sending.
   */
  onRetry?: RetryListener | undefined;
  /**
   * The registry a streamed body is read from (an upload fed by a download). Fed by this very host,
   * it takes its turn beside `maxConcurrent`: the download holds one already (see HostGate.enter).
   */
  fedBy?: string | undefined;
}

export interface TransportResponse {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Readable;
  /** The URL that answered (after redirects). */
  url: URL;
}

export interface TransportShared {
  agents: AgentPool;
  /** Pool size per origin when the endpoint does not set one (default 16). */
  maxConnections?: number | undefined;
  /** The clock `lastUsed` is read from (tests inject one). */
  now?: (() => number) | undefined;
  /** Deadlines and the blob rate (DEFAULT_TIMEOUTS when absent). */
  timeouts?: Timeouts | undefined;
  /** The per-host limits of the process (none when absent). */
  gates?: HostGates | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * HTTP to one registry host: keep-alive pool, retries, auth challenges and redirects, stacked in
 * that order. Everything above it speaks in registry paths and scopes, never in sockets.
 */
export class Transport {
  readonly registry: string;
  #baseUrl: URL;
  #plan: SchemePlan;
  #probe: Promise<void> | undefined;
  #agents: TransportAgents;
  #inFlight = 0;
  #lastUsed: number;
  #now: () => number;
  #policy: RetryPolicy;
  #timeouts: Timeouts;
  #authorizer: Authorizer;
  #gate: TransportGate;

  constructor(registry: string, options: EndpointOptions, shared: TransportShared) {
    this.registry = registry;
    this.#plan = schemePlan(registry, options);
    this.#baseUrl = new URL(this.#plan.first);
    this.#agents = new TransportAgents(shared.agents, options, shared.maxConnections ?? 16);
    this.#now = shared.now ?? Date.now;
    this.#lastUsed = this.#now();
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#timeouts = shared.timeouts ?? DEFAULT_TIMEOUTS;
    this.#gate = new TransportGate(registry, options, this.#policy, shared.gates, async (probe) => {
      const answer = await this.request({
        method: 'HEAD',
        path: probe.url,
        scopes: probe.scopes,
        expect: [200, 404],
        headers: PROBE_ACCEPT,
      });
      await discardBody(answer.body);
    });
    const dispatcherFor = (url: URL): Dispatcher =>
      url.origin === this.#baseUrl.origin ? this.#agents.hold().main : this.#agents.hold().foreign;
    this.#authorizer = new Authorizer(
      {
        registry,
        registryUrl: () => this.#baseUrl,
        dispatcherFor,
        policy: this.#policy,
        timeouts: this.#timeouts,
        allowInsecureRealm: options.allowInsecureRealm === true,
      },
      options.credentials,
      options.staticToken,
    );
  }

  /** Requests under way, counted until their answer's body is read to the end or destroyed. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** When a request last started or ended (by the shared clock). */
  get lastUsed(): number {
    return this.#lastUsed;
  }

  /**
   * Gives the Agents back to the pool (the last holder's release closes their connections), unless
   * a request is under way: then nothing happens and false is returned. The token cache stays; a
   * later request takes Agents again, so whoever still holds this transport can go on using it.
   */
  release(): boolean {
    if (this.#inFlight > 0) return false;
    this.#agents.release();
    return true;
  }

  /** Counts as a use now (for idleness), without a request. */
  touch(): void {
    this.#lastUsed = this.#now();
  }

  #begin(): void {
    this.#inFlight++;
    this.#lastUsed = this.#now();
  }

  #end(): void {
    this.#inFlight--;
    this.#lastUsed = this.#now();
  }

  /** How hard this host is retried; callers that retry whole operations (blob copies) pace themselves by it. */
  get retryPolicy(): Readonly<RetryPolicy> {
    return this.#policy;
  }

  /**
   * Settles https vs http once per host before the first request, so that no request (and no
   * streamed body) is ever sent twice just to discover the scheme.
   */
  #resolveScheme(signal?: AbortSignal, onRetry?: RetryListener): Promise<void> {
    const fallback = this.#plan.fallback;
    if (!fallback) return Promise.resolve();
    // With the retry policy: a registry that is down (restarting, say) when the probe goes out must
    // not leave the scheme at https for good, or its plain http would read as a TLS failure once it
    // is back. A probe that still cannot connect is forgotten, so that the next request probes again.
    const url = new URL('/v2/', this.#plan.first);
    this.#probe ??= sendWithRetry(
      this.#agents.hold().main,
      { url, method: 'GET', headers: { 'user-agent': USER_AGENT }, signal, timeouts: this.#timeouts, gate: this.#gate.forRequest() },
      this.#policy,
      onRetry,
    )
      .then((response) => discardBody(response.body))
      .catch((error: unknown) => {
        if (isNotTlsError(error)) this.#baseUrl = new URL(fallback);
        else this.#probe = undefined;
        // Any other failure (refused, certificate) is left for the real request to report.
      });
    return this.#probe;
  }

  /** One request; it counts as under way until the answer's body is read to the end or destroyed. */
  async request(request: TransportRequest): Promise<TransportResponse> {
    this.#begin();
    let handedOver = false;
    try {
      const response = await this.#request(request);
      handedOver = true;
      const body = response.body;
      if (body.destroyed || body.readableEnded) this.#end();
      else {
        // 'end' when read to the end, 'close' when destroyed early: whichever comes first.
        let ended = false;
        const end = (): void => {
          if (ended) return;
          ended = true;
          body.off('end', end).off('close', end);
          this.#end();
        };
        body.once('end', end).once('close', end);
      }
      return response;
    } finally {
      if (!handedOver) this.#end();
    }
  }

  async #request(request: TransportRequest): Promise<TransportResponse> {
    await this.#resolveScheme(request.signal, request.onRetry);
    let url = typeof request.path === 'string' ? new URL(request.path, this.#baseUrl) : request.path;
    let scopes = request.scopes;
    let authRetried = false;
    for (let redirects = 0; ;) {
      const own = url.origin === this.#baseUrl.origin;
      const headers: Record<string, string> = { ...request.headers };
      // Credentials and tokens go to the registry only, never along a redirect to storage.
      const authorization = own ? await this.#authorizer.header(scopes, request.onRetry) : undefined;
      if (authorization) headers.authorization = authorization;
      const agents = this.#agents.hold();
      const response = await sendWithRetry(
        own ? (request.method === 'HEAD' ? agents.head : agents.main) : agents.foreign,
        {
          url,
          method: request.method,
          headers,
          body: request.body,
          signal: request.signal,
          timeouts: this.#timeouts,
          blob: request.blob,
          gate: own ? this.#gate.forRequest(request.fedBy) : undefined,
        },
        this.#policy,
        request.onRetry,
      );
      const status = response.statusCode;
      if (own) this.#gate.observe(response, url, scopes);
      if (status === 401 && own && !authRetried && replayable(request.body)) {
        const retryScopes = this.#authorizer.onUnauthorized(headerValue(response, 'www-authenticate'), scopes);
        if (retryScopes) {
          await discardBody(response.body);
          scopes = retryScopes;
          authRetried = true;
          continue;
        }
      }
      const location = headerValue(response, 'location');
      if (REDIRECTS.has(status) && location && (request.method === 'GET' || request.method === 'HEAD')) {
        await discardBody(response.body);
        if (++redirects > MAX_REDIRECTS) throw new NetworkError(request.method, redactUrl(url), 'too many redirects');
        url = new URL(location, url);
        continue;
      }
      if (request.expect.includes(status)) return { status, headers: response.headers, body: response.body, url };
      let refusal: string | undefined;
      if (status === 401 && own) {
        this.#authorizer.invalidate(scopes);
        refusal = this.#authorizer.refusal(headerValue(response, 'www-authenticate'), scopes);
      }
      const error = await responseError({
        status,
        method: request.method,
        url: redactUrl(url),
        registry: this.registry,
        body: response.body,
        refusal,
      });
      // Kept for callers that retry a whole operation themselves (a streamed upload cannot be replayed here).
      if (error instanceof HttpError) error.retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'));
      // A streamed body was refused with a token not yet renewed (it was dropped above): the whole upload may go again.
      if (error instanceof AuthError && status === 401 && own && !authRetried && !replayable(request.body)) error.retryWithNewToken = true;
      throw error;
    }
  }
}
