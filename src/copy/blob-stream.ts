import { CancelledError } from '../errors/index.js';
import type { BlobUpload, ContentRepository, Descriptor } from '../registry/index.js';
import type { BlobCaller, BlobOutcome } from './blob-copier.js';
import { TransferFailure, transferBlob, type Side } from './blob-transfer.js';
import { pauseBeforeRetry } from './retry-pause.js';

/**
 * Streams `blob` from the source into the target (into `firstSession` when a refused mount opened
 * one), reporting to `caller`. A transient break starts the whole blob over, up to `attempts`
 * times; anything else fails at once. Once the caller's copy failed elsewhere (`caller.signal`)
 * the stream is cut and this rejects with that failure, as it was: never retried.
 */
export async function streamBlob(
  source: ContentRepository,
  target: ContentRepository,
  blob: Descriptor,
  caller: BlobCaller,
  firstSession: BlobUpload | undefined,
  { attempts, progressStepBytes }: { attempts: number; progressStepBytes: number },
): Promise<BlobOutcome> {
  const { emit, targetName } = caller;
  const event = { target: targetName, digest: blob.digest, size: blob.size };
  const started = Date.now();
  let session = firstSession;
  for (let attempt = 1; ; attempt++) {
    if (caller.signal?.aborted) {
      await session?.cancel();
      throw caller.signal.reason;
    }
    session ??= await target.startUpload();
    emit({ type: 'blob-started', ...event, time: Date.now() });
    let lastReported = 0;
    const onProgress = (transferred: number): void => {
      if (transferred - lastReported >= progressStepBytes || transferred === blob.size) {
        lastReported = transferred;
        emit({ type: 'blob-progress', ...event, transferred, time: Date.now() });
      }
    };
    try {
      const onResume = (side: Side, offset: number, reason: string): void =>
        emit({ type: 'blob-resumed', ...event, side, offset, reason, time: Date.now() });
      await transferBlob({ source, target, blob, onProgress, onResume, stop: caller.signal }, session);
      emit({ type: 'blob-done', ...event, durationMs: Date.now() - started, time: Date.now() });
      return { kind: 'copied', bytes: blob.size };
    } catch (thrown) {
      await session.cancel();
      session = undefined;
      // Cut because the caller's copy failed elsewhere: that failure, as it was.
      if (caller.signal?.aborted) throw caller.signal.reason;
      const failed = thrown instanceof TransferFailure ? thrown : undefined;
      const error = failed?.error ?? thrown;
      // A stopped run broke the stream on purpose: neither a network failure nor worth a retry.
      const cancelled = CancelledError.ifAborted([source.signal, target.signal], `blob ${blob.digest} to ${targetName}`, error);
      if (cancelled) throw cancelled;
      if (!failed || attempt >= attempts || !failed.transient) throw error;
      await pauseBeforeRetry(failed, failed.side === 'source' ? source : target, blob, attempt, caller);
    }
  }
}
