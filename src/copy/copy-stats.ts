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
