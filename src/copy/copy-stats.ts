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

  /**
   * Takes in a second pass over an image's blobs (a manifest PUT found one missing that this process
   * had skipped on sight): what it moved had been counted as skipped by the first pass.
   */
  addSecondPass(again: CopyStats): void {
    const moved = again.blobsCopied + again.blobsMounted;
    this.blobsSkipped = Math.max(0, this.blobsSkipped - moved);
    this.blobsCopied += again.blobsCopied;
    this.blobsMounted += again.blobsMounted;
    this.bytes += again.bytes;
    this.manifestsWritten += again.manifestsWritten;
  }
}
