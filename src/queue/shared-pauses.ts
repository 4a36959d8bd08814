import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import type { HostEvent } from '../transport/index.js';
import type { QueueEventListener } from './queue-events.js';
import { hostPauseChannel, hostPauseKey } from './queue-names.js';

// Sets the host's pause unless a longer one is already there (its expiry is the pause's end).
const LENGTHEN = `
local left = redis.call('PTTL', KEYS[1])
if left >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1`;

/** What a worker's engine offers for shared pauses: it tells of its 429s, and pauses a host on request. */
export interface PausableHosts {
  onHostEvent(listener: (event: HostEvent) => void): () => void;
  pauseHost(host: string, waitMs: number): void;
}

interface PauseMessage {
  host: string;
  waitMs: number;
  worker: string;
}

/**
 * A 429 one worker gets slows every worker for that host: the worker that got it stores the pause
 * in Redis (a key that lapses when the pause ends) and announces it; every other worker pauses its
 * own requests to the host for as long (its host gate, as after a 429 of its own). A worker that
 * could have missed announcements (starting, or its subscription reconnecting) loads the stored
 * pauses once it listens again: its gates then hold every pause, and a copy asks Redis nothing.
 */
export class SharedPauses {
  #redis: Redis;
  #settings: Pick<QueueSettings, 'name'>;
  #hosts: PausableHosts;
  #worker: string;
  #emit: QueueEventListener;
  #stopListening: () => void;

  constructor(redis: Redis, settings: Pick<QueueSettings, 'name'>, hosts: PausableHosts, worker: string, emit: QueueEventListener) {
    this.#redis = redis;
    this.#settings = settings;
    this.#hosts = hosts;
    this.#worker = worker;
    this.#emit = emit;
    this.#stopListening = hosts.onHostEvent((event) => {
      if (event.type === 'host-paused' && event.reason === 'rate-limited')
        void this.#share(event.host, event.waitMs).catch(() => undefined);
    });
  }

  get channel(): string {
    return hostPauseChannel(this.#settings);
  }

  /** An announcement on `channel`: another worker's 429 pauses the host here too. */
  heard(message: string): void {
    let pause: PauseMessage;
    try {
      pause = JSON.parse(message) as PauseMessage;
    } catch {
      return;
    }
    if (pause.worker === this.#worker || typeof pause.host !== 'string' || !(pause.waitMs > 0)) return;
    this.#apply(pause.host, pause.waitMs, pause.worker);
  }

  /**
   * Once subscribed to `channel` (at start, and again after the subscription reconnected): the
   * pauses stored in Redis, announced while this worker did not listen, hold here too.
   */
  async load(): Promise<void> {
    const prefix = hostPauseKey(this.#settings, '');
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.#redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const key of keys) pipeline.pttl(key).get(key);
    const answers = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const leftMs = answers[2 * i]?.[1];
      const from = answers[2 * i + 1]?.[1];
      if (typeof leftMs === 'number' && leftMs > 0 && typeof from === 'string' && from !== this.#worker)
        this.#apply(key.slice(prefix.length), leftMs, from);
    });
  }

  close(): void {
    this.#stopListening();
  }

  #apply(host: string, waitMs: number, from: string): void {
    // A millisecond more: the pause never ends before the stored one lapses (Redis keeps a key through its last millisecond).
    this.#hosts.pauseHost(host, waitMs + 1);
    this.#emit({ type: 'host-pause-shared', worker: this.#worker, host, waitMs, from, time: Date.now() });
  }

  async #share(host: string, waitMs: number): Promise<void> {
    const stored = await this.#redis.eval(LENGTHEN, 1, hostPauseKey(this.#settings, host), this.#worker, Math.ceil(waitMs));
    if (stored !== 1) return;
    // This worker too waits until the stored pause lapses (its own began a little before the key was set).
    this.#hosts.pauseHost(host, waitMs + 1);
    await this.#redis.publish(this.channel, JSON.stringify({ host, waitMs, worker: this.#worker } satisfies PauseMessage));
  }
}
