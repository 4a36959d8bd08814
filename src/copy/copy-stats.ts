import type { BlobOutcome } from './blob-copier.js';

/** What one image copy moved, for its `image-done` event and the run summary. */
export class CopyStats {
  bytes = 0;
  blobsCopied = 0;
  blobsSkipped = 0;
  blobsMounted = 0;
  manifestsWritten = 0;

  add(outcome: BlobOutcome): void {
    if (outcome.kind === 'copied') {
      this.blobsCopied++;
      this.bytes += outcome.bytes;
    } else if (outcome.kind === 'mounted') this.blobsMounted++;
    else this.blobsSkipped++;
  }
}

/**
 * Waits for every promise, then throws the first failure. Unlike Promise.all it never reports an
 * image failed while some of its blobs are still streaming.
 */
export async function settleAll<T>(promises: Iterable<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
