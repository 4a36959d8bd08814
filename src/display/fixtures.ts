import type { LoadEvent } from '../load/events.js';

/**
 * A scripted run for tests (and the pseudo-terminal check): two registries copying at once, their
 * events interleaved, one image failing in the second. Times are offsets from `t0` in ms.
 */
export const REGISTRY_A = '127.0.0.1:5002';
export const REGISTRY_B = '127.0.0.1:5003';
export const APP_SOURCE = '127.0.0.1:5001/library/app:v1';
export const APP_TARGET = '127.0.0.1:5002/mirror/library/app:v1';
export const DB_SOURCE = '127.0.0.1:5001/library/db:v2';
export const DB_TARGET = '127.0.0.1:5003/mirror/library/db:v2';
export const BAD_SOURCE = '127.0.0.1:5001/library/missing:v9';
export const BAD_TARGET = '127.0.0.1:5003/mirror/library/missing:v9';
export const MIB = 1024 * 1024;
export const digest = (c: string): string => `sha256:${c.repeat(64)}`;

export function twoRegistryRun(t0: number): LoadEvent[] {
  const a = REGISTRY_A;
  const b = REGISTRY_B;
  return [
    { type: 'run-started', registries: [a, b], dryRun: false, time: t0 },
    { type: 'registry-started', registry: a, time: t0 },
    { type: 'registry-started', registry: b, time: t0 },
    { type: 'registry-listed', registry: a, images: 1, time: t0 + 10 },
    { type: 'registry-listed', registry: b, images: 2, time: t0 + 20 },
    { type: 'image-started', registry: a, source: APP_SOURCE, target: APP_TARGET, time: t0 + 30 },
    { type: 'image-started', registry: b, source: DB_SOURCE, target: DB_TARGET, time: t0 + 40 },
    { type: 'image-started', registry: b, source: BAD_SOURCE, target: BAD_TARGET, time: t0 + 45 },
    { type: 'blob-skipped', registry: a, target: APP_TARGET, digest: digest('1'), size: 2 * MIB, time: t0 + 50 },
    { type: 'blob-started', registry: a, target: APP_TARGET, digest: digest('2'), size: 4 * MIB, time: t0 + 60 },
    { type: 'blob-started', registry: b, target: DB_TARGET, digest: digest('3'), size: 8 * MIB, time: t0 + 70 },
    { type: 'blob-progress', registry: a, target: APP_TARGET, digest: digest('2'), size: 4 * MIB, transferred: 1 * MIB, time: t0 + 100 },
    { type: 'blob-progress', registry: b, target: DB_TARGET, digest: digest('3'), size: 8 * MIB, transferred: 2 * MIB, time: t0 + 200 },
    {
      type: 'image-failed',
      registry: b,
      source: BAD_SOURCE,
      target: BAD_TARGET,
      error: { code: 'IMAGE_NOT_FOUND', message: 'manifest unknown: missing:v9' },
      time: t0 + 250,
    },
    { type: 'blob-progress', registry: a, target: APP_TARGET, digest: digest('2'), size: 4 * MIB, transferred: 4 * MIB, time: t0 + 300 },
    { type: 'blob-done', registry: a, target: APP_TARGET, digest: digest('2'), size: 4 * MIB, durationMs: 240, time: t0 + 300 },
    {
      type: 'manifest-written',
      registry: a,
      target: APP_TARGET,
      digest: digest('4'),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      time: t0 + 310,
    },
    imageDone(a, APP_SOURCE, APP_TARGET, { digest: digest('4'), bytes: 4 * MIB, blobsSkipped: 1, durationMs: 290, time: t0 + 320 }),
    {
      type: 'registry-finished',
      registry: a,
      copied: 1,
      upToDate: 0,
      failed: 0,
      cancelled: 0,
      bytes: 4 * MIB,
      durationMs: 330,
      ok: true,
      time: t0 + 330,
    },
    { type: 'blob-progress', registry: b, target: DB_TARGET, digest: digest('3'), size: 8 * MIB, transferred: 8 * MIB, time: t0 + 400 },
    { type: 'blob-done', registry: b, target: DB_TARGET, digest: digest('3'), size: 8 * MIB, durationMs: 330, time: t0 + 400 },
    imageDone(b, DB_SOURCE, DB_TARGET, { digest: digest('5'), bytes: 8 * MIB, blobsSkipped: 0, durationMs: 370, time: t0 + 410 }),
    {
      type: 'registry-finished',
      registry: b,
      copied: 1,
      upToDate: 0,
      failed: 1,
      cancelled: 0,
      bytes: 8 * MIB,
      durationMs: 420,
      ok: false,
      time: t0 + 420,
    },
    { type: 'run-finished', copied: 2, upToDate: 0, failed: 1, cancelled: 0, bytes: 12 * MIB, durationMs: 430, ok: false, time: t0 + 430 },
  ];
}

/** An image copied with one blob streamed: where it went, and what differs between the images of the run. */
function imageDone(
  registry: string,
  source: string,
  target: string,
  done: { digest: string; bytes: number; blobsSkipped: number; durationMs: number; time: number },
): LoadEvent {
  return { type: 'image-done', registry, source, target, sourceDigest: done.digest, blobsCopied: 1, blobsMounted: 0, ...done };
}

/** docker.io pausing every request at its pull-quota reserve (10 of 100 pulls left per 6 h). */
export function dockerHubQuotaPause(time: number, maxWaitMs: number): LoadEvent {
  return {
    type: 'host-paused',
    host: 'docker.io',
    reason: 'quota',
    remaining: 10,
    limit: 100,
    windowSeconds: 21600,
    reserve: 10,
    maxWaitMs,
    time,
  };
}
