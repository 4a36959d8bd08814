import { webhookOrigin } from '../../config/redact.js';
import type { NotificationSettings, WebhookSettings } from '../../config/notifications-schema.js';
import { processScrubber, type SecretScrubber } from '../../errors/secret-scrubber.js';
import { AgentPool } from '../../transport/index.js';
import type { ServiceEvent } from '../service-events.js';
import type { ServerEvent } from '../sync-service.js';
import type { Notification } from './notification.js';
import { NotificationEvents, type ScheduleView } from './notification-events.js';
import { deliver } from './webhook-delivery.js';

/** Notifications waiting for one webhook at most: a receiver that is down must not take the server's memory. */
export const MAX_QUEUED = 100;
/** How often schedules are checked for a tick that did not come. */
const OVERDUE_CHECK_MS = 30_000;

export interface NotifierOptions {
  /** The current `notifications:` block (a reload changes it). */
  settings: () => NotificationSettings | undefined;
  /** The schedules to watch for a missed tick. */
  schedules: () => readonly ScheduleView[];
  /** Where delivery failures are told (the server log). */
  emit: (event: ServiceEvent) => void;
  scrubber?: SecretScrubber;
  /** First retry backoff (tests shorten it). */
  baseBackoffMs?: number;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (default: process.env). */
  proxyEnv?: NodeJS.ProcessEnv;
}

/** One webhook's deliveries, one at a time in the order the events came (a recovery after its failure). */
interface Queue {
  webhook: WebhookSettings;
  name: string;
  waiting: Array<{ notification: Notification; body: string }>;
  running: Promise<void> | undefined;
}

/**
 * Sends the server's notifications to the configured webhooks, beside everything else: observe()
 * only queues, so a slow, failing or hanging receiver never holds a run, a job or the log. A
 * delivery that fails for good is a `notification-failed` event in the server log, without the
 * webhook's path, query, headers or secret.
 */
export class Notifier {
  #options: NotifierOptions;
  #events = new NotificationEvents();
  #queues = new Map<string, Queue>();
  #agents: AgentPool;
  #stop = new AbortController();
  #timer: NodeJS.Timeout;

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#agents = new AgentPool({ proxyEnv: options.proxyEnv });
    this.#timer = setInterval(() => this.checkSchedules(Date.now()), OVERDUE_CHECK_MS).unref();
  }

  observe(event: ServerEvent): void {
    // Followed even with no webhook: one added by a reload knows whether the next run is a recovery.
    const notifications = this.#events.observe(event);
    if (this.#stop.signal.aborted || (this.#options.settings()?.webhooks.length ?? 0) === 0) return;
    for (const notification of notifications) this.#send(notification);
  }

  /** Sends schedule-missed for every schedule whose tick is over a minute late (every 30 s on its own). */
  checkSchedules(now: number): void {
    if (this.#stop.signal.aborted || (this.#options.settings()?.webhooks.length ?? 0) === 0) return;
    for (const notification of this.#events.overdue(this.#options.schedules(), now)) this.#send(notification);
  }

  #send(notification: Notification): void {
    const scrubber = this.#options.scrubber ?? processScrubber;
    // Messages quote registries' answers, which may echo a credential: masked like the log.
    const body = JSON.stringify(scrubber.scrubDeep(notification));
    (this.#options.settings()?.webhooks ?? []).forEach((webhook, index) => {
      if (!webhook.events.includes(notification.event)) return;
      const key = `${index}|${webhook.url}`;
      let queue = this.#queues.get(key);
      if (!queue) {
        queue = { webhook, name: `notifications.webhooks[${index}] (${webhookOrigin(webhook.url)})`, waiting: [], running: undefined };
        this.#queues.set(key, queue);
      }
      // A reload may have changed its secret, headers or timeout: they apply from the next delivery.
      queue.webhook = webhook;
      if (queue.waiting.length >= MAX_QUEUED) {
        const dropped = queue.waiting.shift();
        if (dropped)
          this.#failed(queue, dropped.notification, 0, `more than ${MAX_QUEUED} notifications were waiting: the oldest was dropped`);
      }
      queue.waiting.push({ notification, body });
      this.#run(queue);
    });
  }

  #run(queue: Queue): void {
    if (queue.running) return;
    queue.running = (async () => {
      const dispatcher = this.#agents.acquire({ tlsVerify: true, caFile: undefined, maxConnections: 2 });
      try {
        for (let next = queue.waiting.shift(); next; next = this.#stop.signal.aborted ? undefined : queue.waiting.shift()) {
          const result = await deliver(queue.webhook, next.notification, next.body, {
            dispatcher,
            signal: this.#stop.signal,
            ...(this.#options.baseBackoffMs !== undefined ? { baseBackoffMs: this.#options.baseBackoffMs } : {}),
          });
          if (!result.ok) this.#failed(queue, next.notification, result.attempts, result.reason ?? 'failed');
        }
      } finally {
        this.#agents.release(dispatcher);
        queue.running = undefined;
      }
    })();
  }

  #failed(queue: Queue, notification: Notification, attempts: number, reason: string): void {
    this.#options.emit({
      type: 'notification-failed',
      webhook: queue.name,
      notification: notification.event,
      id: notification.id,
      registry: notification.registry,
      attempts,
      reason,
      time: Date.now(),
    });
  }

  /** Resolves once nothing is waiting or being sent (for tests, and for stop()). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.#queues.values()].map((q) => q.running).filter((p) => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /**
   * Stops: what is waiting or being sent gets up to `graceMs` (the last runs' notifications), then
   * every attempt is aborted. Never waits longer, whatever the receivers do.
   */
  async stop(graceMs: number): Promise<void> {
    clearInterval(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.idle(), grace]);
    clearTimeout(timer);
    this.#stop.abort();
    await this.idle();
    for (const queue of this.#queues.values()) {
      for (const { notification } of queue.waiting.splice(0)) this.#failed(queue, notification, 0, 'not sent: the server stopped');
    }
    await this.#agents.close();
  }
}
