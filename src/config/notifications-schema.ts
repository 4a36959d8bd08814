import { z } from 'zod';
import { checkedBy } from './fields.js';

/** What a webhook can be told of (README "Notifications"). */
export const NOTIFICATION_EVENTS = [
  'run-finished',
  'run-failed',
  'run-recovered',
  'image-failed',
  'schedule-missed',
  'quota-paused',
  'prune-done',
] as const;
export type NotificationEventName = (typeof NOTIFICATION_EVENTS)[number];

/** Told when a webhook names no events: what needs someone's attention, not every run of a busy schedule. */
export const DEFAULT_NOTIFICATION_EVENTS: readonly NotificationEventName[] = [
  'run-failed',
  'run-recovered',
  'schedule-missed',
  'quota-paused',
  'prune-done',
];

export const MAX_WEBHOOK_TIMEOUT_SECONDS = 300;
export const MAX_WEBHOOK_RETRIES = 10;

/** An http(s) URL; never quoted back (its path or query may be the receiver's secret, as Slack's are). */
function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL: write https://HOST[:PORT]/PATH';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an http:// or https:// URL, not ${url.protocol}`;
  return undefined;
}

/** A header name as HTTP has them (a token); the values are the user's, often a secret. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by picture-book on every delivery: a configured header must not change what they say. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'host', 'user-agent', 'x-picture-book-event', 'x-picture-book-delivery']);

function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return 'is not an HTTP header name';
  if (OWN_HEADERS.has(name.toLowerCase()) || name.toLowerCase().startsWith('x-picture-book-')) return 'is set by picture-book itself';
  return undefined;
}

const webhookSchema = z
  .object({
    url: z.string().superRefine(checkedBy(webhookUrlProblem)).describe('where the JSON body is POSTed (http or https)'),
    secret: z
      .string()
      .optional()
      .describe('key of the HMAC-SHA256 signature of the body, sent as X-Picture-Book-Signature-256: sha256=HEX'),
    headers: z
      .record(z.string().superRefine(checkedBy(headerNameProblem)), z.string())
      .default({})
      .describe('extra request headers (e.g. Authorization); their values are secrets'),
    events: z
      .array(z.enum(NOTIFICATION_EVENTS))
      .min(1)
      .optional()
      .describe('the events sent (default: run-failed, run-recovered, schedule-missed, quota-paused)'),
    timeoutSeconds: z
      .number()
      .positive()
      .max(MAX_WEBHOOK_TIMEOUT_SECONDS)
      .default(10)
      .describe('how long one delivery attempt may take, answer included'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(MAX_WEBHOOK_RETRIES)
      .default(3)
      .describe('attempts after a failed one (network error, timeout, 408, 429 or 5xx), with a doubling backoff from 1 s'),
  })
  .strict()
  .transform((w) => ({ ...w, events: w.events ?? [...DEFAULT_NOTIFICATION_EVENTS] }));

/** The `notifications:` block: where `sync` tells what happened. */
export const notificationsSchema = z
  .object({
    webhooks: z.array(webhookSchema).default([]).describe('HTTP endpoints told of runs, images, schedules and quota'),
  })
  .strict()
  .default({})
  .describe('webhooks `sync` calls when runs fail, recover, miss their schedule, and more');

export type NotificationSettings = z.output<typeof notificationsSchema>;
export type WebhookSettings = NotificationSettings['webhooks'][number];
