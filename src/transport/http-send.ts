import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { NetworkError } from '../errors/index.js';
import { discardBody } from './read-body.js';
import { redactUrl } from './redact-url.js';
import { USER_AGENT } from './user-agent.js';
import { isRetryableNetworkError, isRetryableStatus, parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** A body we can send again (bytes) or one we cannot (a stream, consumed by the first attempt). */
export type RequestBody = string | Buffer | Readable | undefined;

export interface SendRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: RequestBody;
  signal?: AbortSignal | undefined;
}

export interface RetryNotice {
  method: string;
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export type Response = Dispatcher.ResponseData;

function replayable(body: RequestBody): boolean {
  return body === undefined || typeof body === 'string' || Buffer.isBuffer(body);
}

function header(response: Response, name: string): string | undefined {
  const value = response.headers[name];
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
  onRetry?: (notice: RetryNotice) => void,
): Promise<Response> {
  const started = Date.now();
  const canRetry = replayable(request.body);
  // Redacted only when a retry or an error must show it: parsing it again per request costs CPU.
  const shownUrl = () => redactUrl(request.url);
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let retryAfterMs: number | undefined;
    try {
      const response = await dispatcher.request({
        origin: request.url.origin,
        path: request.url.pathname + request.url.search,
        method: request.method as Dispatcher.HttpMethod,
        headers: { 'user-agent': USER_AGENT, ...request.headers },
        body: request.body ?? null,
        signal: request.signal,
        // undici closes the connection after every HEAD (for servers that wrongly send a body);
        // registries don't, and a no-change run is all HEADs: keep the connection alive.
        ...(request.method === 'HEAD' ? { reset: false } : {}),
      });
      if (!isRetryableStatus(response.statusCode) || !canRetry) return response;
      reason = `HTTP ${response.statusCode}`;
      retryAfterMs = parseRetryAfter(header(response, 'retry-after'));
      if (!shouldRetry(policy, attempt, started, retryAfterMs)) return response;
      await discardBody(response.body);
    } catch (error) {
      if (request.signal?.aborted) throw error;
      const wrapped = toNetworkError(request.method, shownUrl(), error);
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

/** Wraps an undici/socket failure as a NetworkError naming the request, keeping the cause. */
export function toNetworkError(method: string, url: string, error: unknown): NetworkError {
  if (error instanceof NetworkError) return error;
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? String(error);
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message;
  return new NetworkError(method, url, detail, { cause: error });
}
