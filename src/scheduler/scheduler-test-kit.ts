import type { RegistryConfig } from '../config/index.js';
import type { RegistryOutcome } from '../load/run-outcome.js';
import type { RegistryRunner } from './registry-runner.js';
import type { SchedulerEvent } from './scheduler-events.js';
import type { TickerFactory } from './ticker.js';

/** Fakes for scheduler tests: tickers fired by hand, runs finished by hand. Not used in production. */

export function registryConfig(hostname: string, syncPeriod = '*/5 * * * *'): RegistryConfig {
  return {
    hostname,
    repository: 'mirror',
    pullAuth: undefined,
    pushAuth: undefined,
    syncPeriod,
    syncerScript: undefined,
    syncerScriptArgs: '',
    syncerScriptTimeoutSeconds: 60,
    deleteLocalImages: false,
    images: [],
    insecure: false,
    tlsVerify: true,
    caFile: undefined,
    pipelining: true,
    concurrency: undefined,
    line: 1,
  };
}

export function outcome(registry: string, overrides: Partial<RegistryOutcome> = {}): RegistryOutcome {
  return {
    registry,
    ok: true,
    copied: 1,
    upToDate: 2,
    failed: 0,
    cancelled: 0,
    bytes: 100,
    startedAt: 0,
    durationMs: 1,
    invalidLines: [],
    selectionProblems: [],
    images: [],
    ...overrides,
  };
}

export interface ManualTicker {
  pattern: string;
  timezone: string;
  fire: (scheduledAt?: number) => void;
  stopped: boolean;
}

export class ManualTickers {
  readonly made: ManualTicker[] = [];
  readonly factory: TickerFactory = (pattern, timezone, onTick) => {
    const ticker: ManualTicker = { pattern, timezone, fire: onTick, stopped: false };
    this.made.push(ticker);
    return { nextRun: () => (ticker.stopped ? null : new Date(Date.UTC(2030, 0, 1))), stop: () => void (ticker.stopped = true) };
  };

  /** The live ticker of a registry's pattern (the newest one made for it). */
  live(pattern: string): ManualTicker {
    const found = this.made.filter((t) => t.pattern === pattern && !t.stopped).at(-1);
    if (!found) throw new Error(`no live ticker for ${pattern}`);
    return found;
  }
}

export interface PendingRun {
  registry: RegistryConfig;
  signal: AbortSignal;
  drain: AbortSignal | undefined;
  finish: (result?: RegistryOutcome | Error) => void;
}

/** A runner whose runs end when the test says so, or (like the engine) when aborted. */
export class ControlledRunner {
  readonly runs: PendingRun[] = [];
  readonly runner: RegistryRunner = (registry, signal, _emit, drain) =>
    new Promise<RegistryOutcome>((resolve, reject) => {
      const finish = (result?: RegistryOutcome | Error) =>
        result instanceof Error ? reject(result) : resolve(result ?? outcome(registry.hostname));
      signal.addEventListener('abort', () => resolve(outcome(registry.hostname, { copied: 0, cancelled: 1 })), { once: true });
      this.runs.push({ registry, signal, drain, finish });
    });
}

/** Resolves once `predicate` holds; fails after `timeoutMs` (a deadline, not a sleep). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function eventsOf<T extends SchedulerEvent['type']>(
  events: readonly unknown[],
  type: T,
): Array<Extract<SchedulerEvent, { type: T }>> {
  return events.filter((e): e is Extract<SchedulerEvent, { type: T }> => (e as { type?: unknown }).type === type);
}
