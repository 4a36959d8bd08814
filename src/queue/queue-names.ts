import type { QueueSettings } from '../config/index.js';

/** The BullMQ queue of copy jobs. Its Redis keys start with `<queue.name>:` (BullMQ's prefix). */
export const COPY_QUEUE = 'copies';

/** The channel on which `sync` tells the workers to abort a copy (its job id). */
export const cancelChannel = (settings: Pick<QueueSettings, 'name'>): string => `${settings.name}:cancel-copy`;

/** The channel on which a worker sends each copy job's result straight to `sync` (result-message.ts). */
export const resultChannel = (settings: Pick<QueueSettings, 'name'>): string => `${settings.name}:copy-results`;

/** Redis keys of the schedule claims of `sync` servers sharing the queue. */
export const tickKey = (settings: Pick<QueueSettings, 'name'>, registry: string, scheduledAt: number): string =>
  `${settings.name}:tick:${registry}:${scheduledAt}`;
export const runLockKey = (settings: Pick<QueueSettings, 'name'>, registry: string): string => `${settings.name}:run:${registry}`;
/** Redis key of a worker's claim on writing one image to one tag (`target@digest`, hashed). */
export const targetClaimKey = (settings: Pick<QueueSettings, 'name'>, hash: string): string => `${settings.name}:writing:${hash}`;
/** Redis key of the leases on a source host's copy slots (`queue.sourceCopies`). */
export const hostSlotsKey = (settings: Pick<QueueSettings, 'name'>, host: string): string => `${settings.name}:host-slots:${host}`;
/** Redis key of a host's shared pause after a 429 (it lapses when the pause ends), and the channel that announces one. */
export const hostPauseKey = (settings: Pick<QueueSettings, 'name'>, host: string): string => `${settings.name}:host-pause:${host}`;
export const hostPauseChannel = (settings: Pick<QueueSettings, 'name'>): string => `${settings.name}:host-paused`;
/** Redis keys of the run history `sync` servers sharing the queue publish (shared-runs.ts). */
export const runIdKey = (settings: Pick<QueueSettings, 'name'>): string => `${settings.name}:run-id`;
export const runSummariesKey = (settings: Pick<QueueSettings, 'name'>): string => `${settings.name}:runs`;
/** Redis hash counting each server's run publishes per registry (`SERVER REGISTRY`): how the others hear that its runs changed. */
export const runChangesKey = (settings: Pick<QueueSettings, 'name'>): string => `${settings.name}:run-changes`;
export const runRecordsKey = (settings: Pick<QueueSettings, 'name'>): string => `${settings.name}:run-records`;
/** Redis key that says a `sync` server sharing the queue is alive (it lapses when the server stops renewing it). */
export const syncServerKey = (settings: Pick<QueueSettings, 'name'>, server: string): string => `${settings.name}:sync-server:${server}`;
/** Redis keys of the blob uploads workers share (blob-claims.ts): who uploads `host@digest` now, and where it was put. */
export const blobUploadKey = (settings: Pick<QueueSettings, 'name'>, host: string, digest: string): string =>
  `${settings.name}:blob-upload:${host}@${digest}`;
export const blobSightingsKey = (settings: Pick<QueueSettings, 'name'>, host: string, digest: string): string =>
  `${settings.name}:blob-seen:${host}@${digest}`;
