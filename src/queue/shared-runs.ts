import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config/index.js';
import type { RunRecord, RunSummary } from '../store/index.js';
import { parseSharedRecord, parseSharedSummary } from './shared-run-json.js';
import { runChangesKey, runIdKey, runRecordsKey, runSummariesKey, syncServerKey } from './queue-names.js';

/** The newest runs every server shows besides its own; older ones stay only in their owner's history. */
export const SHARED_RUNS = 200;
/** A read or write of the shared runs waits this long for Redis, then the server answers from its own history. */
const REDIS_WAIT_MS = 2_000;
/** A server that has not said it is alive for this long is taken as gone: its runs still `running` were interrupted. */
export const SERVER_ALIVE_MS = 30_000;
/** How often a server says it is alive (three times per expiry: one missed renewal is no death). */
const ALIVE_EVERY_MS = SERVER_ALIVE_MS / 3;
/** How often a starting server looks again at an alive key of its name that another process wrote. */
const WATCH_EVERY_MS = 500;

/** A run as published for the other servers: `server` tells whose history holds it. */
export type SharedRunSummary = RunSummary & { server: string };

// Ids are taken from one counter so runs of different servers never share one; a counter behind a
// server's own history (Redis lost its data) is moved past it (`floor`).
const NEXT_ID = `local n = redis.call('INCR', KEYS[1]) if n <= tonumber(ARGV[1]) then n = tonumber(ARGV[1]) + 1 redis.call('SET', KEYS[1], n) end return n`;
// One summary (and, once ended, its record) per run; only the newest SHARED_RUNS ids stay.
const PUBLISH = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
redis.call('HINCRBY', KEYS[4], ARGV[5], 1)
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[1])
local extra = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
if extra > 0 then
  for _, old in ipairs(redis.call('ZPOPMIN', KEYS[3], extra)) do redis.call('HDEL', KEYS[1], old) redis.call('HDEL', KEYS[2], old) end
end
return 1`;
// Renews an alive key only while it holds this process's token or is gone (lapsed, Redis restarted
// empty): 0 when another process's token is there (it took the name while this one's key had lapsed).
const RENEW = `local v = redis.call('GET', KEYS[1]) if v and string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1`;
// Removes an alive key only while it holds this process's token: never another live process's.
const LEAVE = `local v = redis.call('GET', KEYS[1]) if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The field of `<queue.name>:run-changes` a run's publish counts in: its server and registry. */
export const changeField = (run: Pick<SharedRunSummary, 'server' | 'registry'>): string => `${run.server}\n${run.registry}`;

/** Whether a starting server took its name: `taken`: another live process says it is alive under it; `unanswered`: Redis did not say. */
export type NameClaim = 'claimed' | 'taken' | 'unanswered';

/**
 * The run history several `sync` servers sharing a queue publish in its Redis, so the API of any
 * of them answers for all: each server keeps its own runs in its own store and publishes their
 * summaries (at start and end) and, once ended, their records. Redis down: reads and writes give
 * up after a short wait (`undefined`), and every server still answers from its own history.
 */
export class SharedRuns {
  #redis: Redis;
  #settings: Pick<QueueSettings, 'name'>;
  #aliveEveryMs: number;
  /** Marks this process's alive keys: another process of the same server name writes another. */
  readonly #token = randomUUID();

  /** `aliveEveryMs`: tests renew more often than every ALIVE_EVERY_MS. */
  constructor(redis: Redis, settings: Pick<QueueSettings, 'name'>, timing: { aliveEveryMs?: number } = {}) {
    this.#redis = redis;
    this.#settings = settings;
    this.#aliveEveryMs = timing.aliveEveryMs ?? ALIVE_EVERY_MS;
  }

  /** A run id no other server has used (undefined: Redis did not answer). */
  async nextId(floor: number): Promise<number | undefined> {
    const id = await this.#bounded(this.#redis.eval(NEXT_ID, 1, runIdKey(this.#settings), floor));
    return typeof id === 'number' ? id : undefined;
  }

  async publish(summary: SharedRunSummary, record?: RunRecord): Promise<void> {
    await this.#bounded(this.#publish(summary, record));
  }

  #publish(summary: SharedRunSummary, record?: RunRecord): Promise<unknown> {
    const s = this.#settings;
    const keys = [runSummariesKey(s), runRecordsKey(s), `${runSummariesKey(s)}:ids`, runChangesKey(s)];
    const args = [summary.id, JSON.stringify(summary), record ? JSON.stringify(record) : '', SHARED_RUNS, changeField(summary)];
    return this.#redis.eval(PUBLISH, keys.length, ...keys, ...args);
  }

  /** How many times each server published a run of each registry (undefined: Redis did not answer). */
  async changes(): Promise<Record<string, string> | undefined> {
    return this.#bounded(this.#redis.hgetall(runChangesKey(this.#settings)));
  }

  /**
   * Publishes a running run's summary again (its counts so far), not bounded by the 2-second wait:
   * the caller sends no other until this one is done, so a Redis down holds one per run, not a pile.
   */
  async publishProgress(summary: SharedRunSummary): Promise<void> {
    await this.#publish(summary).catch(() => undefined);
  }

  /** Every published summary (at most SHARED_RUNS); empty when Redis does not answer. */
  async summaries(): Promise<SharedRunSummary[]> {
    const values = await this.#bounded(this.#redis.hvals(runSummariesKey(this.#settings)));
    return (values ?? []).map((v) => parseSharedSummary(v));
  }

  async record(id: number): Promise<RunRecord | undefined> {
    const value = await this.#bounded(this.#redis.hget(runRecordsKey(this.#settings), String(id)));
    return typeof value === 'string' ? parseSharedRecord(value) : undefined;
  }

  /**
   * Takes the name `server` for this process, before saying it is alive under it. Its alive key
   * holds this process's token and the time: a key of another token is another process's, alive if
   * it renews it (a new time, at most ALIVE_EVERY_MS later: `taken`), dead if it lapses (a server
   * killed a moment ago: the name is taken over then, at most SERVER_ALIVE_MS later; `onWait` is
   * told once that it waits). No guess on timing: the key's own renewal or expiry decides.
   */
  async claimName(server: string, onWait: () => void): Promise<NameClaim> {
    const key = syncServerKey(this.#settings, server);
    let seen: string | undefined;
    for (;;) {
      const set = await this.#bounded(this.#redis.set(key, this.#aliveValue(), 'PX', SERVER_ALIVE_MS, 'NX'));
      if (set === 'OK') return 'claimed';
      const value = set === undefined ? undefined : await this.#bounded(this.#redis.get(key));
      if (value === undefined) return 'unanswered';
      if (value !== null) {
        if (seen === undefined) onWait();
        else if (value !== seen) return 'taken';
        seen = value;
      }
      await sleep(WATCH_EVERY_MS);
    }
  }

  /**
   * Says `server` is alive now and every ALIVE_EVERY_MS (a key expiring after SERVER_ALIVE_MS), while
   * the key is this process's or gone. The returned function stops saying so and removes the key (a
   * server stopping, not dying) if it is still this process's. A key holding another process's token
   * means this one lost the name (its key lapsed: the process was paused, cut off, or Redis restarted
   * empty or was silent at start, and a namesake took it): it stops renewing, never writes over the
   * other's key, and `onLost` is told once. Renewals are not bounded: one queued while Redis is away
   * still decides when it runs.
   */
  keepAlive(server: string, onLost: () => void): () => Promise<void> {
    const key = syncServerKey(this.#settings, server);
    let lost = false;
    const say = (): void =>
      void this.#redis.eval(RENEW, 1, key, `${this.#token} `, this.#aliveValue(), SERVER_ALIVE_MS).then(
        (renewed) => {
          if (renewed !== 0 || lost) return;
          lost = true;
          clearInterval(timer);
          onLost();
        },
        () => undefined,
      );
    const timer = setInterval(say, this.#aliveEveryMs);
    timer.unref();
    say();
    return async () => {
      clearInterval(timer);
      await this.#bounded(this.#redis.eval(LEAVE, 1, key, `${this.#token} `));
    };
  }

  /** This process's token and the time: every renewal changes the value, which is how a starting namesake sees it is alive. */
  #aliveValue(): string {
    return `${this.#token} ${Date.now()}`;
  }

  /** Which of `servers` said lately that they are alive (undefined: Redis did not answer). */
  async alive(servers: readonly string[]): Promise<Set<string> | undefined> {
    if (servers.length === 0) return new Set();
    const values = await this.#bounded(this.#redis.mget(...servers.map((s) => syncServerKey(this.#settings, s))));
    return values && new Set(servers.filter((_, i) => values[i] !== null));
  }

  async #bounded<T>(work: Promise<T>): Promise<T | undefined> {
    const gaveUp = sleep(REDIS_WAIT_MS, undefined, { ref: false });
    return Promise.race([work.catch(() => undefined), gaveUp]);
  }
}
