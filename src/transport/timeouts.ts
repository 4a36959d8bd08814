import type { Readable } from 'node:stream';
import { TimeoutError } from '../errors/index.js';

/**
 * How long a registry may take. Small bodies (manifests, token replies, tag and catalog pages,
 * error bodies) have a total deadline; blobs, which may rightly take hours, a minimum rate instead.
 */
export interface Timeouts {
  /** TCP connect and TLS handshake. */
  connectMs: number;
  /** From the request sent (its last byte) to the answer's headers. */
  responseMs: number;
  /** The whole body of a small answer, from its headers on. */
  readMs: number;
  /** A blob download or upload that moves fewer than `blobMinBytes` in `blobIntervalMs` is stalled. */
  blobMinBytes: number;
  blobIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 10_000,
  responseMs: 120_000,
  readMs: 60_000,
  blobMinBytes: 64 * 1024,
  blobIntervalMs: 30_000,
};

/** Where each one is set, named in timeout errors. */
export const TIMEOUT_SETTINGS = {
  connect: 'timeouts.connectSeconds; copy: --connect-timeout',
  response: 'timeouts.responseSeconds; copy: --response-timeout',
  read: 'timeouts.readSeconds; copy: --read-timeout',
  blob: 'timeouts.blobMinBytes per timeouts.blobIntervalSeconds; copy: --blob-min-rate',
} as const;

/** The same in the units of the config's `timeouts:` block and of the `copy` flags. */
export interface TimeoutSettings {
  connectSeconds: number;
  responseSeconds: number;
  readSeconds: number;
  blobMinBytes: number;
  blobIntervalSeconds: number;
}

export function timeoutsFromSettings(settings: Partial<TimeoutSettings> | undefined): Partial<Timeouts> {
  const ms = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 1000));
  const out: Partial<Timeouts> = {};
  const set = <K extends keyof Timeouts>(key: K, value: Timeouts[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  set('connectMs', ms(settings?.connectSeconds));
  set('responseMs', ms(settings?.responseSeconds));
  set('readMs', ms(settings?.readSeconds));
  set('blobMinBytes', settings?.blobMinBytes);
  set('blobIntervalMs', ms(settings?.blobIntervalSeconds));
  return out;
}

export function resolveTimeouts(partial: Partial<Timeouts> | undefined): Timeouts {
  return { ...DEFAULT_TIMEOUTS, ...partial };
}

export const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * Destroys `body` with a TimeoutError unless it has been read to the end (or closed) within `ms`:
 * a server that sends headers and then one byte every few seconds must not hold a run forever.
 */
export function applyReadDeadline(body: Readable, ms: number, method: string, url: () => string): void {
  if (body.readableEnded || body.destroyed) return;
  const timer = setTimeout(() => {
    body.destroy(
      new TimeoutError(
        method,
        url(),
        `the answer's body did not arrive within ${seconds(ms)} (${TIMEOUT_SETTINGS.read})`,
        TIMEOUT_SETTINGS.read,
      ),
    );
  }, ms);
  timer.unref();
  const clear = (): void => clearTimeout(timer);
  body.once('end', clear).once('close', clear);
}
