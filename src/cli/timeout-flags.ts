import { InvalidArgumentError } from 'commander';
import type { TimeoutSettings } from '../transport/timeouts.js';

const MAX_SECONDS = 86_400;

/** `--read-timeout 30`: a positive number of seconds (fractions allowed), at most a day. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(seconds > 0) || seconds > MAX_SECONDS) {
    throw new InvalidArgumentError(`expected a number of seconds above 0 and at most ${MAX_SECONDS}, got "${value}"`);
  }
  return seconds;
}

/** `--blob-min-rate 65536/30`: at least that many bytes in every that many seconds (0/… turns the rule off). */
export function parseRate(value: string): { bytes: number; seconds: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  const bytes = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(bytes) || !(seconds > 0) || seconds > MAX_SECONDS) {
    throw new InvalidArgumentError(`expected BYTES/SECONDS such as 65536/30, got "${value}"`);
  }
  return { bytes, seconds };
}

export interface TimeoutFlags {
  connectTimeout?: number;
  responseTimeout?: number;
  readTimeout?: number;
  blobMinRate?: { bytes: number; seconds: number };
}

/** The flags given, in the config's units; the rest keep their defaults. */
export function timeoutSettingsFromFlags(flags: TimeoutFlags): Partial<TimeoutSettings> {
  return {
    ...(flags.connectTimeout !== undefined ? { connectSeconds: flags.connectTimeout } : {}),
    ...(flags.responseTimeout !== undefined ? { responseSeconds: flags.responseTimeout } : {}),
    ...(flags.readTimeout !== undefined ? { readSeconds: flags.readTimeout } : {}),
    ...(flags.blobMinRate ? { blobMinBytes: flags.blobMinRate.bytes, blobIntervalSeconds: flags.blobMinRate.seconds } : {}),
  };
}
