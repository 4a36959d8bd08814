import { setTimeout as sleep } from 'node:timers/promises';
import {
  parseManifest,
  referencedBlobs,
  type ContentRepository,
  type FetchedManifest,
  type ManifestPushed,
  type PutManifestOptions,
} from '../registry/index.js';
import { CancelledError, HttpError, LayoutError } from '../errors/index.js';
import type { SharedBlobs } from './shared-blobs.js';
import type { BlobCopier } from './blob-copier.js';
import { CopyStats } from './copy-stats.js';
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
  /** Blob uploads shared with other processes (copy-run-options.ts). */
  sharedBlobs?: SharedBlobs;
}

/**
 * Makes everything a manifest references present at the target: the blobs of an image, or each
 * child manifest (pushed by digest) of an index, recursively. The manifest itself is not written
 * here: the caller writes it last, so a tag never points at incomplete content.
 */
export async function copyReferenced(ctx: TreeContext, manifest: Pick<FetchedManifest, 'parsed'>): Promise<void> {
  const parsed = manifest.parsed;
  if (parsed.kind === 'image') {
    const caller = { targetName: ctx.targetName, emit: ctx.emit, signal: ctx.stop?.signal, shared: ctx.sharedBlobs };
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

/**
 * A child of an index, read at the source. A delta bundle names an index its base carried without
 * the children's bytes, which stay in the base (BLOB_MISSING): a copy that reads them anyway (a
 * forced one) reads them at the target, where importing the base put them (checked against the
 * digest as they are read); if the target lacks one too, the source's error stands, naming the
 * bundle to import first.
 */
export async function readChild(source: ContentRepository, target: ContentRepository, digest: string): Promise<FetchedManifest> {
  try {
    return await source.getManifest(digest);
  } catch (error) {
    if (!(error instanceof LayoutError && error.code === 'BLOB_MISSING')) throw error;
    return target.getManifest(digest).catch((failed: unknown) => Promise.reject(failed instanceof CancelledError ? failed : error));
  }
}

/** One child of an index: skipped whole when the target already has it by digest. */
export async function copyChild(ctx: TreeContext, digest: string): Promise<FetchedManifest | undefined> {
  const known = ctx.prefetched?.get(digest);
  if (known === 'present' || (!known && (await presentAtTarget(ctx.target, digest, ctx.force)))) return undefined;
  const child = known ?? (await readChild(ctx.source, ctx.target, digest));
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
  let secondPass = false;
  for (let attempt = 1; pushed === undefined; attempt++) {
    try {
      pushed = await ctx.target.putManifest(reference, bytes, mediaType, options);
    } catch (error) {
      if (isBlobUnknown(error) && !secondPass) {
        secondPass = true;
        const reason = `${error.message}: sending what this process had seen there again`;
        ctx.emit({ type: 'retry', method: error.method, url: error.url, attempt, delayMs: 0, reason, time: Date.now() });
        await sendReferencedAgain(ctx, bytes, mediaType);
        continue;
      }
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

/** The registry says the manifest names a blob (or child manifest) the repository lacks. */
function isBlobUnknown(error: unknown): error is HttpError {
  return error instanceof HttpError && (error.registryCode === 'MANIFEST_BLOB_UNKNOWN' || error.registryCode === 'BLOB_UNKNOWN');
}

/**
 * A blob this process saw in the target repository is gone (emptied, garbage collected, a registry
 * restarted on new storage): its sightings there are dropped and everything the manifest references
 * is made present again, asking the registry this time, so the copy succeeds in the same run. Once
 * per manifest PUT (the caller's `secondPass`), so a registry that keeps refusing fails as before.
 */
async function sendReferencedAgain(ctx: TreeContext, bytes: Buffer, mediaType: string): Promise<void> {
  ctx.blobs.forgetRepository(ctx.target.place, ctx.target.name);
  const again = new CopyStats();
  // What the resolve stage found present may be gone too: every child is asked again.
  await copyReferenced({ ...ctx, stats: again, prefetched: new Map() }, { parsed: parseManifest(bytes, mediaType) });
  ctx.stats.addSecondPass(again);
}
