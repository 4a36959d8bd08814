import { createHmac } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { WebhookSettings } from '../../config/notifications-schema.js';
import { errorMessage } from '../../errors/index.js';
import { discardBody, USER_AGENT } from '../../transport/index.js';

/** Backoff between attempts: doubling from this, at most MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/** Statuses worth another attempt: the receiver is busy, slow or broken for now. A 4xx otherwise will not change. */
const RETRYABLE = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** The signature header's value: `sha256=` and the hex HMAC-SHA256 of the body with the webhook's secret (as GitHub's). */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  /** Why the last attempt failed (no URL, header or body in it). */
  reason?: string;
}

export interface DeliveryOptions {
  dispatcher: Dispatcher;
  /** Aborts the delivery (the server stops): no further attempt. */
  signal: AbortSignal;
  /** First backoff (tests shorten it). */
  baseBackoffMs?: number;
}

/** One attempt: ok, or why not and whether another could work. */
async function attempt(
  webhook: WebhookSettings,
  body: string,
  headers: Record<string, string>,
  options: DeliveryOptions,
): Promise<{ ok: true } | { ok: false; reason: string; retry: boolean }> {
  const url = new URL(webhook.url);
  const timeoutMs = webhook.timeoutSeconds * 1000;
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]);
  try {
    const response = await options.dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: 'POST',
      headers,
      body,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    // The answer's body says nothing we use; read it so the connection can serve the next delivery.
    await discardBody(response.body).catch(() => undefined);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { ok: true };
    return { ok: false, reason: `HTTP ${status}`, retry: RETRYABLE(status) };
  } catch (error) {
    if (options.signal.aborted) return { ok: false, reason: 'the server stopped', retry: false };
    const code = (error as { code?: unknown }).code;
    if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return { ok: false, reason: `no answer within ${webhook.timeoutSeconds}s (timeoutSeconds)`, retry: true };
    }
    // undici's messages name the failure (ECONNREFUSED, socket closed), not the URL.
    return { ok: false, reason: errorMessage(error), retry: true };
  }
}

/**
 * POSTs one notification's JSON to a webhook: signed when it has a secret, each attempt bounded by
 * `timeoutSeconds`, up to `retries` more attempts after a network error, timeout, 408, 429 or 5xx,
 * with a doubling backoff. Never throws: the result says how it went.
 */
export async function deliver(
  webhook: WebhookSettings,
  notification: { event: string; id: string },
  body: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const headers: Record<string, string> = {
    ...webhook.headers,
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-picture-book-event': notification.event,
    'x-picture-book-delivery': notification.id,
    ...(webhook.secret !== undefined ? { 'x-picture-book-signature-256': signature(webhook.secret, body) } : {}),
  };
  const base = options.baseBackoffMs ?? BASE_BACKOFF_MS;
  for (let attempts = 1; ; attempts++) {
    const result = await attempt(webhook, body, headers, options);
    if (result.ok) return { ok: true, attempts };
    if (!result.retry || attempts > webhook.retries) return { ok: false, attempts, reason: result.reason };
    try {
      await delay(Math.min(base * 2 ** (attempts - 1), MAX_BACKOFF_MS), undefined, { signal: options.signal });
    } catch {
      return { ok: false, attempts, reason: 'the server stopped' };
    }
  }
}
