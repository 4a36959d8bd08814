import { setTimeout as sleep } from 'node:timers/promises';
import {
  referencedBlobs,
  type ContentRepository,
  type FetchedManifest,
  type ManifestPushed,
  type PutManifestOptions,
} from '../registry/index.js';
import { CancelledError, HttpError } from '../errors/index.js';
import type { BlobCopier } from './blob-copier.js';
import type { CopyStats } from './copy-stats.js';
import { settleAll } from './settle-all.js';
import type { CopyEventListener } from './events.js';
import type { PrefetchedChild } from './resolve.js';
import type { TargetStop } from './target-stop.js';
import { isLinkRace, linkRaceDelayMs, MANIFEST_PUT_ATTEMPTS } from './manifest-link-race.js';

export interface TreeContext {
  source: ContentRepository;
  target: ContentRepository;
  targetName: string;
  blobs: BlobCopier;
  stats: CopyStats;
  force: boolean;
  emit: CopyEventListener;
  /** Children an earlier stage already settled (see resolve.ts), by digest. */
  prefetched?: ReadonlyMap<string, PrefetchedChild>;
  /** Cuts the copy's other transfers once one part failed for good (an image copy's; absent: each part runs to its end). */
  stop?: TargetStop;
}

/**
 * Makes everything a manifest references present at the target: the blobs of an image, or each
 * child manifest (pushed by digest) of an index, recursively. The manifest itself is not written
 * here: the caller writes it last, so a tag never points at incomplete content.
 */
export async function copyReferenced(ctx: TreeContext, manifest: FetchedManifest): Promise<void> {
  const parsed = manifest.parsed;
  if (parsed.kind === 'image') {
    const caller = { targetName: ctx.targetName, emit: ctx.emit, signal: ctx.stop?.signal };
    await settleStopping(
      ctx,
      referencedBlobs(parsed).map(async (blob) => ctx.stats.add(await ctx.blobs.copy(ctx.source, ctx.target, blob, caller))),
    );
    return;
  }
  await settleStopping(
    ctx,
    parsed.manifests.map((child) => copyChild(ctx, child.digest)),
  );
}

/**
 * settleAll, but the first part that fails for good stops the others at once (ctx.stop): a blob
 * the target refused leaves no other blob of the image streaming to its end for a tag never written.
 */
export function settleStopping<T>(ctx: TreeContext, parts: ReadonlyArray<Promise<T>>): Promise<T[]> {
  return settleAll(
    parts.map((part) =>
      part.catch((error: unknown) => {
        ctx.stop?.fail(error);
        throw error;
      }),
    ),
  );
}

/**
 * Whether the target already holds the manifest `digest`, so nothing it references needs copying:
 * a registry accepts a manifest only once all it references is present, so presence is proof.
 * A forced copy never takes that shortcut.
 */
export async function presentAtTarget(target: ContentRepository, digest: string, force: boolean): Promise<boolean> {
  if (force) return false;
  const head = await target.headManifest(digest);
  // Asked by digest, a 200 is the answer: a registry that sends no Docker-Content-Digest has it too.
  return head !== undefined && (head.digest === undefined || head.digest === digest);
}

/** One child of an index: skipped whole when the target already has it by digest. */
export async function copyChild(ctx: TreeContext, digest: string): Promise<FetchedManifest | undefined> {
  const known = ctx.prefetched?.get(digest);
  if (known === 'present' || (!known && (await presentAtTarget(ctx.target, digest, ctx.force)))) return undefined;
  const child = known ?? (await ctx.source.getManifest(digest));
  await copyReferenced(ctx, child);
  await writeManifest(ctx, digest, child.bytes, child.mediaType, { child: true });
  return child;
}

/**
 * Refuses to start once the run was stopped: a tag is written only after a copy ran to its end.
 * `child`: written because an index lists it (see PutManifestOptions).
 */
export async function writeManifest(
  ctx: TreeContext,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  options: PutManifestOptions = {},
): Promise<ManifestPushed> {
  const stopped = CancelledError.ifAborted([ctx.target.signal], `manifest ${reference} of ${ctx.targetName}`);
  if (stopped) throw stopped;
  let pushed: ManifestPushed | undefined;
  for (let attempt = 1; pushed === undefined; attempt++) {
    try {
      pushed = await ctx.target.putManifest(reference, bytes, mediaType, options);
    } catch (error) {
      // Someone deleted a blob we had seen there: the next copy asks the registry again.
      if (error instanceof HttpError && error.registryCode === 'MANIFEST_BLOB_UNKNOWN')
        ctx.blobs.forgetRepository(ctx.target.place, ctx.target.name);
      if (!isLinkRace(error) || attempt >= MANIFEST_PUT_ATTEMPTS) throw error;
      const delayMs = linkRaceDelayMs(attempt);
      ctx.emit({ type: 'retry', method: error.method, url: error.url, attempt, delayMs, reason: error.message, time: Date.now() });
      const waited = await sleep(delayMs, true, { signal: ctx.target.signal }).catch(() => false);
      if (!waited) {
        const stopped = CancelledError.ifAborted([ctx.target.signal], `manifest ${reference} of ${ctx.targetName}`);
        if (stopped) throw stopped;
        throw error;
      }
    }
  }
  ctx.stats.manifestsWritten++;
  ctx.emit({ type: 'manifest-written', target: ctx.targetName, digest: pushed.digest, mediaType, time: Date.now() });
  return pushed;
}
