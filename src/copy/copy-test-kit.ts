import type { CopyTask } from './copy-task.js';
import type { CopyResult } from './image-copier.js';

/** Stand-ins for engine tests above the copy layer. Not used in production. */

/** What a stand-in engine answers for a task it "copied": one blob, one manifest, one byte. */
export function copiedResult(task: Pick<CopyTask, 'source' | 'target'>): CopyResult {
  return {
    status: 'copied',
    source: task.source,
    target: task.target,
    digest: 'sha256:1',
    sourceDigest: 'sha256:1',
    bytes: 1,
    blobsCopied: 1,
    blobsSkipped: 0,
    blobsMounted: 0,
    manifestsWritten: 1,
    durationMs: 1,
  };
}
