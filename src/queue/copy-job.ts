import type { PictureBookConfig, RegistryConfig } from '../config/index.js';
import type { CopyEvent, CopyResult, CopyTask } from '../copy/index.js';
import { PictureBookError } from '../errors/index.js';
import { sourceEndpoint, targetEndpoint } from '../load/registry-endpoints.js';
import { parseReference } from '../reference/index.js';

/**
 * What travels through Redis for one image: plain data, and no credentials. The worker resolves
 * how to reach both sides (credentials, TLS, proxies, timeouts) from the entry `registry` of its
 * own config.yaml, exactly as `sync` would have.
 */
export interface CopyJobData {
  /** The `hostname` of the registries entry the image belongs to (the name runs are filed under). */
  registry: string;
  source: string;
  target: string;
  platforms?: readonly string[];
  /** With `platforms`: `skip` skips an image without them instead of failing it. */
  missingPlatforms?: 'skip';
  force?: boolean;
  /**
   * A copy no registries entry describes (a distribute job's): how to reach both sides, sealed with
   * the queue key when it holds credentials (`sealed-box.ts`), plain only when it holds none.
   */
  endpoints?: { sealed: string } | { plain: unknown };
  /** With `endpoints`: their keyed fingerprint (`job-id.ts`), so requests with different credentials are different jobs. */
  fingerprint?: string;
  /**
   * The id of the run's tag listings (`TagListings.id`): a worker shares its listings of source
   * tags and referrers API answers between the jobs of one run, as the copies of a run in one
   * process share theirs (run-listings.ts). Absent: the job lists for itself.
   */
  listings?: string;
}

/**
 * How a copy job ended, as the worker returns it (a failed copy is an answer, not a job failure: no
 * BullMQ retry). `trailing`: the copy's last events, those not yet known stored as progress when
 * it ended (`sync` applies them after the progress, each event once).
 */
export type CopyJobResult = (
  { status: 'done'; result: CopyResult } | { status: 'failed'; error: { code: string; message: string } } | { status: 'cancelled' }
) & { trailing?: NumberedEvents };

/** A job's copy events from number `first` on (counted from 0 in attempt `attempt`, BullMQ's `attemptsStarted`). */
export interface NumberedEvents {
  attempt: number;
  first: number;
  items: CopyEvent[];
}

/**
 * One progress update of a job: the copy events since the last one, in order, numbered from
 * `first` in `attempt` (older workers sent `events` without numbers, or one `event` alone).
 */
export interface CopyJobProgress {
  worker: string;
  events?: CopyEvent[];
  event?: CopyEvent;
  attempt?: number;
  first?: number;
}

/** The job of `task`; `listings`: the id of its run's tag listings, shared with the run's other jobs. */
export function jobData(registry: string, task: CopyTask, listings?: string): CopyJobData {
  return {
    registry,
    source: task.source,
    target: task.target,
    ...(task.platforms && task.platforms.length > 0 ? { platforms: task.platforms } : {}),
    ...(task.platforms && task.platforms.length > 0 && task.missingPlatforms === 'skip' ? { missingPlatforms: 'skip' as const } : {}),
    ...(task.force ? { force: true } : {}),
    ...(listings !== undefined ? { listings } : {}),
  };
}

/** The task of a job, its endpoints from this process's config; a registry it does not configure is a QUEUE error naming it. */
export function taskOf(data: CopyJobData, config: PictureBookConfig): CopyTask {
  const registry: RegistryConfig | undefined = config.registries.find((r) => r.hostname === data.registry);
  if (!registry) {
    throw new PictureBookError(
      'QUEUE',
      `${data.target}: this worker's config (${config.file}) has no registries entry "${data.registry}": it cannot know how to reach it`,
    );
  }
  const source = parseReference(data.source);
  const target = parseReference(data.target);
  return {
    source: data.source,
    target: data.target,
    ...(data.platforms ? { platforms: data.platforms } : {}),
    ...(data.platforms && data.missingPlatforms === 'skip' ? { missingPlatforms: 'skip' as const } : {}),
    ...(data.force ? { force: true } : {}),
    sourceEndpoint: sourceEndpoint(registry, source.registry, source.repository),
    targetEndpoint: targetEndpoint(registry, target.repository),
  };
}
