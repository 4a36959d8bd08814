import type { Readable } from 'node:stream';
import type { BlobUpload, ContentRepository, Descriptor } from '../registry/index.js';
import type { BlobCaller, BlobOutcome, BlobTarget } from './blob-copier.js';
import { openBlobSource } from './blob-source.js';
import { transferBlob, type Side } from './blob-transfer.js';
import { destroyQuietly } from './destroy-quietly.js';
import { teeStream } from './tee-stream.js';

/** One target of a shared read: its open upload, and the copy whose events it is. */
export interface TeedUpload {
  repo: ContentRepository;
  session: BlobUpload;
  caller: BlobCaller;
}

/** One blob into several targets, with the copier's own steps for each target. */
export interface GroupedBlob {
  source: ContentRepository;
  blob: Descriptor;
  targets: readonly BlobTarget[];
  progressStepBytes: number;
  /** Already there or mounted: the outcome; else the upload the bytes go into. */
  prepare: (target: BlobTarget) => Promise<BlobOutcome | BlobUpload>;
  /** The target on its own: the only one that needs the bytes (`failed` undefined), or its share of the read failed. */
  alone: (target: BlobTarget, session: BlobUpload, failed: unknown) => Promise<BlobOutcome>;
}

/**
 * Checks and mounts at every target, then sends the bytes once to all that still need them (one
 * source read, transferToMany); a target whose share failed is handed to `alone`. Settles per target.
 */
export async function sendToMany(group: GroupedBlob): Promise<Array<PromiseSettledResult<BlobOutcome>>> {
  const { source, blob, targets } = group;
  const prepared = await Promise.allSettled(targets.map((target) => group.prepare(target)));
  const uploads = prepared.flatMap((p, i) => (p.status === 'fulfilled' && !('kind' in p.value) ? [{ i, session: p.value }] : []));
  const results: Array<PromiseSettledResult<BlobOutcome>> = prepared.map((p) =>
    p.status === 'fulfilled' && 'kind' in p.value ? { status: 'fulfilled', value: p.value } : p.status === 'rejected' ? p : pending,
  );
  const teed = uploads.map(({ i, session }) => ({ ...(targets[i] as BlobTarget), session }));
  const sent = uploads.length > 1 ? await transferToMany(source, blob, teed, group.progressStepBytes) : [];
  await Promise.all(
    uploads.map(async ({ i, session }, j) => {
      const share = sent[j];
      const outcome: Promise<BlobOutcome> =
        share?.status === 'fulfilled'
          ? Promise.resolve({ kind: 'copied', bytes: blob.size })
          : group.alone(targets[i] as BlobTarget, session, share?.reason);
      results[i] = await outcome.then(
        (value) => ({ status: 'fulfilled', value }),
        (reason: unknown) => ({ status: 'rejected', reason }),
      );
    }),
  );
  return results;
}

/** A placeholder for a result filled in once the bytes were sent. */
const pending: PromiseSettledResult<BlobOutcome> = { status: 'rejected', reason: new Error('not sent') };

/**
 * Streams `blob` from ONE source read into every upload at once (a grouped copy's targets in
 * different places): the read is teed (tee-stream.ts), so it goes at the pace of the slowest
 * upload and nothing is held beyond the branches' buffers. Each target verifies the digest on its
 * own and reports its own blob events. Settles per target: a target whose upload broke rejects as
 * transferBlob does (a resumed upload reads the rest from the source itself) and its branch is
 * dropped; the other targets go on. A source that breaks for good fails every target.
 */
export function transferToMany(
  source: ContentRepository,
  blob: Descriptor,
  uploads: readonly TeedUpload[],
  progressStepBytes: number,
): Promise<Array<PromiseSettledResult<void>>> {
  const event = (caller: BlobCaller) => ({ target: caller.targetName, digest: blob.digest, size: blob.size });
  const resumed = (caller: BlobCaller, side: Side, offset: number, reason: string): void =>
    caller.emit({ type: 'blob-resumed', ...event(caller), side, offset, reason, time: Date.now() });
  const shared = openBlobSource(source, blob, 0, (offset, reason) => {
    for (const { caller } of uploads) resumed(caller, 'source', offset, reason);
  }).then((stream) => teeStream(stream, uploads.length));
  // Every transfer hears a failed GET through its own firstBody; this only keeps it from going unhandled.
  shared.catch(() => {});
  return Promise.allSettled(
    uploads.map(async ({ repo: target, session, caller }, i) => {
      const started = Date.now();
      caller.emit({ type: 'blob-started', ...event(caller), time: started });
      let lastReported = 0;
      const onProgress = (transferred: number): void => {
        if (transferred - lastReported >= progressStepBytes || transferred === blob.size) {
          lastReported = transferred;
          caller.emit({ type: 'blob-progress', ...event(caller), transferred, time: Date.now() });
        }
      };
      const firstBody = async (): Promise<Readable> => {
        const branch = (await shared)[i];
        if (!branch) throw new Error(`no branch ${i} of the shared read of blob ${blob.digest}`);
        return branch;
      };
      try {
        const onResume = (side: Side, offset: number, reason: string): void => resumed(caller, side, offset, reason);
        // A target that failed elsewhere (caller.signal) has its branch cut at once: the others go on at their pace.
        await transferBlob({ source, target, blob, onProgress, onResume, firstBody, stop: caller.signal }, session);
        caller.emit({ type: 'blob-done', ...event(caller), durationMs: Date.now() - started, time: Date.now() });
      } finally {
        // Ended without reading its branch to the end (it broke, or never began): the others go on.
        void shared.then(
          (branches) => destroyQuietly(branches[i]),
          () => undefined,
        );
      }
    }),
  );
}
