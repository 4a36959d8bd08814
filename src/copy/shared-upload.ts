import { CancelledError } from '../errors/index.js';
import type { BlobUpload, ContentRepository, Descriptor } from '../registry/index.js';
import type { BlobCaller, BlobOutcome } from './blob-copier.js';
import type { SharedBlobs } from './shared-blobs.js';

type Prepared = BlobOutcome | { session: BlobUpload | undefined };

/** One blob the target lacks, about to be uploaded by a process that shares its uploads (shared-blobs.ts). */
export interface SharedUpload {
  target: ContentRepository;
  blob: Descriptor;
  caller: BlobCaller;
  shared: SharedBlobs;
  /** The upload a refused mount opened, if any. */
  session: BlobUpload | undefined;
  /** Mounts from one of the candidates (blob-copier.ts), or gives the upload to use. */
  mountFrom: (candidates: readonly string[], session: BlobUpload | undefined) => Promise<Prepared>;
  /** Sends the bytes. */
  stream: (session: BlobUpload | undefined) => Promise<BlobOutcome>;
}

/** Repositories of the target's place other processes put `digest` into (none when unknown or the store failed). */
export async function sharedSightings(caller: BlobCaller, target: ContentRepository, digest: string): Promise<string[]> {
  return (await placeSightings(caller, target, digest)).filter((r) => r !== target.name);
}

/** Every repository of the target's place the shared store saw `digest` put into, the target's own included. */
async function placeSightings(caller: BlobCaller, target: ContentRepository, digest: string): Promise<string[]> {
  if (!caller.shared || !target.mountBlob) return [];
  return caller.shared.sightings(target.place, digest).catch(() => [] as string[]);
}

/**
 * Another process may be uploading the same blob to this place (a queue worker): one at a time
 * does, under a claim; the others wait for it. Whoever holds the claim asks again where the blob
 * was put (the holder before it may have finished between this one's HEAD and its claim) and
 * mounts from there; only when nobody put it anywhere do the bytes travel. The shared store
 * failing (Redis down) costs a second upload, never the copy.
 */
export async function uploadShared(step: SharedUpload): Promise<BlobOutcome> {
  const { target, blob, caller, shared } = step;
  let session = step.session;
  const stops = [target.signal, caller.signal].filter((s): s is AbortSignal => s !== undefined);
  let claim: { waited: boolean; release: () => void } | undefined;
  try {
    claim = await shared.claimUpload(target.place, blob.digest, stops.length > 0 ? AbortSignal.any(stops) : undefined);
  } catch (error) {
    if (caller.signal?.aborted) throw caller.signal.reason;
    const cancelled = CancelledError.ifAborted([target.signal], `blob ${blob.digest} to ${caller.targetName}`, error);
    if (cancelled) throw cancelled;
  }
  try {
    if (claim) {
      const seen = await placeSightings(caller, target, blob.digest);
      const candidates = seen.filter((r) => r !== target.name);
      // The holder before this one may have put it into this very repository (its sighting says
      // so; without sightings it may have too): a HEAD there costs less than a mount that copies
      // it again from elsewhere (two workers copying tags of one repository, measured: 37 mounts
      // more per run of the bench corpus than in-process).
      const maybeHere = candidates.length === 0 || seen.includes(target.name);
      if (claim.waited && maybeHere && (await target.headBlob(blob.digest, blob.size)) !== undefined) {
        if (session) await session.cancel();
        caller.emit({ type: 'blob-skipped', target: caller.targetName, digest: blob.digest, size: blob.size, time: Date.now() });
        return { kind: 'skipped' };
      }
      const mounted = await step.mountFrom(candidates, session);
      if ('kind' in mounted) return mounted;
      session = mounted.session;
    }
    const outcome = await step.stream(session);
    // Told before the claim is freed, so whoever waited for it mounts from here.
    await shared.sighted(target.place, blob.digest, target.name).catch(() => undefined);
    return outcome;
  } finally {
    claim?.release();
  }
}
