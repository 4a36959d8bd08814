import { pipeline, type Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { NetworkError, TimeoutError } from '../errors/index.js';
import { discardBody } from './read-body.js';
import { redactUrl } from './redact-url.js';
import { USER_AGENT } from './user-agent.js';
import { isRetryableNetworkError, isRetryableStatus, parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { ThroughputWatch } from './throughput-watch.js';
import { tlsFailure } from './tls-failure.js';
import { applyReadDeadline, DEFAULT_TIMEOUTS, seconds, TIMEOUT_SETTINGS, type Timeouts } from './timeouts.js';

/** A body we can send again (bytes) or one we cannot (a stream, consumed by the first attempt). */
export type RequestBody = string | Buffer | Readable | undefined;

export interface SendRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: RequestBody;
  signal?: AbortSignal | undefined;
  /** Deadlines and the blob rate (DEFAULT_TIMEOUTS when absent). */
  timeouts?: Timeouts | undefined;
  /** The answer's body is a blob: held to the minimum rate rather than to the read deadline. */
  blob?: boolean | undefined;
}

export interface RetryNotice {
  method: string;
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

/** Whoever made a request hears of its retries (see TransportRequest.onRetry). */
export type RetryListener = (notice: RetryNotice) => void;

/** undici's answer, its body possibly wrapped (a watched blob is a plain Readable). */
export type Response = Omit<Dispatcher.ResponseData, 'body'> & { body: Readable };

/** Whether `body` can be sent again: no body or bytes can, a stream is consumed by its first attempt. */
export function replayable(body: RequestBody): boolean {
  return body === undefined || typeof body === 'string' || Buffer.isBuffer(body);
}

/** Reads one header as a string (undici gives arrays for repeated headers). */
export function headerValue(response: { headers: Dispatcher.ResponseData['headers'] }, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * One HTTP exchange with retries for connection errors, 429 and 5xx (not 501), honouring
 * Retry-After, bounded by the policy's attempts and total time. A streamed body is sent once:
 * replaying a half-read stream would upload garbage, so the caller restarts the whole operation.
 */
export async function sendWithRetry(
  dispatcher: Dispatcher,
  request: SendRequest,
  policy: RetryPolicy,
  onRetry?: RetryListener,
): Promise<Response> {
  const started = Date.now();
  const canRetry = replayable(request.body);
  const timeouts = request.timeouts ?? DEFAULT_TIMEOUTS;
  // Redacted only when a retry or an error must show it: parsing it again per request costs CPU.
  const shownUrl = () => redactUrl(request.url);
  const body = canRetry ? request.body : watchUpload(request.body as Readable, request.method, shownUrl, timeouts);
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let retryAfterMs: number | undefined;
    try {
      const response = guardBody(
        await dispatcher.request({
          origin: request.url.origin,
          path: request.url.pathname + request.url.search,
          method: request.method,
          headers: { 'user-agent': USER_AGENT, ...request.headers },
          body: body ?? null,
          signal: request.signal,
          headersTimeout: timeouts.responseMs,
          // A backstop only: the read deadline and the blob rate below come first (undici does not
          // count time while the reader holds the body back).
          bodyTimeout: Math.max(timeouts.readMs, 2 * timeouts.blobIntervalMs),
          // undici closes the connection after every HEAD (for servers that wrongly send a body);
          // registries don't, and a no-change run is all HEADs: keep the connection alive.
          ...(request.method === 'HEAD' ? { reset: false } : {}),
        }),
        request,
        shownUrl,
        timeouts,
      );
      if (!isRetryableStatus(response.statusCode) || !canRetry) return response;
      reason = `HTTP ${response.statusCode}`;
      retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'));
      if (!shouldRetry(policy, attempt, started, retryAfterMs)) return response;
      await discardBody(response.body);
    } catch (error) {
      if (request.signal?.aborted) throw error;
      const wrapped = toNetworkError(request.method, shownUrl(), error, timeouts);
      if (!canRetry || !isRetryableNetworkError(error) || !shouldRetry(policy, attempt, started, undefined)) throw wrapped;
      reason = wrapped.message;
    }
    const delayMs = retryDelayMs(policy, attempt, retryAfterMs);
    onRetry?.({ method: request.method, url: shownUrl(), attempt, delayMs, reason });
    await delay(delayMs, undefined, request.signal ? { signal: request.signal } : undefined);
  }
}

function shouldRetry(policy: RetryPolicy, attempt: number, started: number, retryAfterMs: number | undefined): boolean {
  if (attempt >= policy.maxAttempts) return false;
  const wait = retryAfterMs ?? 0;
  return Date.now() - started + wait <= policy.maxTotalMs;
}

/**
 * Holds the answer's body to its limit: a blob (2xx of a blob request) to the minimum rate, any
 * other body to the read deadline. HEAD answers have no body to watch.
 */
function guardBody(response: Dispatcher.ResponseData, request: SendRequest, shownUrl: () => string, timeouts: Timeouts): Response {
  if (request.method === 'HEAD') return response;
  const status = response.statusCode;
  if (!request.blob || status < 200 || status > 299) {
    applyReadDeadline(response.body, timeouts.readMs, request.method, shownUrl);
    return response;
  }
  const rate = `${timeouts.blobMinBytes} bytes per ${seconds(timeouts.blobIntervalMs)}`;
  const watch = new ThroughputWatch(
    { minBytes: timeouts.blobMinBytes, intervalMs: timeouts.blobIntervalMs, blame: 'producer' },
    (bytes) =>
      new TimeoutError(
        request.method,
        shownUrl(),
        `download stalled: ${bytes} bytes in ${seconds(timeouts.blobIntervalMs)}, under the minimum of ${rate} (${TIMEOUT_SETTINGS.blob})`,
        TIMEOUT_SETTINGS.blob,
      ),
  );
  // Errors travel both ways: a broken connection fails the watch, a stalled or abandoned watch frees the connection.
  pipeline(response.body, watch, () => undefined);
  return { ...response, body: watch };
}

/** An upload (a streamed request body) held to the minimum rate while the registry is the slow side. */
function watchUpload(body: Readable, method: string, shownUrl: () => string, timeouts: Timeouts): Readable {
  const rate = `${timeouts.blobMinBytes} bytes per ${seconds(timeouts.blobIntervalMs)}`;
  const watch = new ThroughputWatch(
    { minBytes: timeouts.blobMinBytes, intervalMs: timeouts.blobIntervalMs, blame: 'consumer' },
    (bytes) =>
      new TimeoutError(
        method,
        shownUrl(),
        `upload stalled: the registry took ${bytes} bytes in ${seconds(timeouts.blobIntervalMs)}, under the minimum of ${rate} (${TIMEOUT_SETTINGS.blob})`,
        TIMEOUT_SETTINGS.blob,
      ),
  );
  pipeline(body, watch, () => undefined);
  return watch;
}

const UNDICI_TIMEOUTS: Record<string, { what: (t: Timeouts) => string; setting: string }> = {
  UND_ERR_CONNECT_TIMEOUT: { what: (t) => `could not connect within ${seconds(t.connectMs)}`, setting: TIMEOUT_SETTINGS.connect },
  UND_ERR_HEADERS_TIMEOUT: { what: (t) => `no answer within ${seconds(t.responseMs)}`, setting: TIMEOUT_SETTINGS.response },
  UND_ERR_BODY_TIMEOUT: { what: () => 'the answer stopped arriving', setting: TIMEOUT_SETTINGS.read },
};

/** Wraps an undici/socket failure as a NetworkError naming the request, keeping the cause. */
export function toNetworkError(method: string, url: string, error: unknown, timeouts?: Timeouts): NetworkError {
  if (error instanceof NetworkError) return error;
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const tls = tlsFailure(method, url, error);
  if (tls) return tls;
  const timeout = code === undefined ? undefined : UNDICI_TIMEOUTS[code];
  if (timeout) {
    // Without the timeouts in force (a stream failing outside a request), say what happened without a figure.
    const what = timeouts ? timeout.what(timeouts) : 'timed out';
    return new TimeoutError(method, url, `${what} (${timeout.setting})`, timeout.setting, { cause: error });
  }
  const message = e.cause?.message ?? e.message ?? String(error);
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message;
  return new NetworkError(method, url, detail, { cause: error });
}
