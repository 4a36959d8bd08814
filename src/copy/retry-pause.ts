import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError } from '../errors/index.js';
import type { ContentRepository, Descriptor } from '../registry/index.js';
import { retryDelayMs } from '../transport/index.js';
import type { BlobCaller } from './blob-copier.js';
import type { TransferFailure } from './blob-transfer.js';

/**
 * Waits before the next whole-blob attempt: the failing registry's `Retry-After` as given, else
 * its retry policy's backoff. A wait longer than the policy allows for retries fails the blob.
 */
export async function pauseBeforeRetry(
  failed: TransferFailure,
  side: ContentRepository,
  blob: Descriptor,
  attempt: number,
  caller: BlobCaller,
): Promise<void> {
  const policy = side.retryPolicy;
  const delayMs = retryDelayMs(policy, attempt, failed.retryAfterMs);
  if (delayMs > policy.maxTotalMs) throw failed.error;
  caller.emit({
    type: 'retry',
    method: failed.side === 'source' ? 'GET' : 'PUT',
    url: `${side.where} blob ${blob.digest}`,
    attempt,
    delayMs,
    reason: failed.error.message,
    time: Date.now(),
  });
  try {
    await delay(delayMs, undefined, side.signal ? { signal: side.signal } : undefined);
  } catch (error) {
    throw CancelledError.ifAborted([side.signal], `blob ${blob.digest} to ${caller.targetName}`, error) ?? error;
  }
}
