import type { RunTrigger } from '../store/index.js';

/** A run's right to go: held while it runs, released at its end. */
export interface RunClaim {
  release(): Promise<void>;
}

/**
 * Shared by several `sync` servers (through the queue's Redis): a tick (`scheduledAt`) is taken by
 * one of them only, and a registry runs on one of them at a time. Undefined: another has it.
 */
export interface RunClaims {
  claim(registry: string, trigger: RunTrigger, scheduledAt: number | undefined, signal: AbortSignal): Promise<RunClaim | undefined>;
}
