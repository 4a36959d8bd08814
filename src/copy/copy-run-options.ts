import type { CopyEventListener } from './events.js';
import type { SharedBlobs } from './shared-blobs.js';
import type { TagListings } from './tag-listings.js';

/** How one caller runs one copy: its stop signals, its event listener, its tag listings and its target claim. */
export interface CopyRunOptions {
  /** Stops the copy where it is; the manifest is never written after it aborted. */
  signal?: AbortSignal;
  /**
   * A stop has begun: a copy that has not started yet (still waiting for a slot) does not start
   * once this aborted; one under way goes on until it ends or `signal` aborts.
   */
  drain?: AbortSignal;
  /**
   * Hears every event this copy causes, and only those: its image, blobs and manifests, the retries
   * of its requests, its digest fallbacks. Work shared with another copy (a blob both need) is
   * reported as blob-copier.ts says. A run files the events under its own name without guessing.
   */
  onEvent?: CopyEventListener;
  /**
   * The run's tag listings: cosign tags are looked for in a repository's tags listed once per run
   * (or taken from the selection rule that listed them), not once per image. Without it, once per copy.
   */
  tagListings?: TagListings;
  /**
   * Called once the check says the image must be written, with its source digest: resolves when
   * this copy may write `target@digest` (`waited`: another process held it, so the target is
   * checked again), and gives what frees it when the copy ends. Workers sharing a queue use it.
   */
  claim?: (digest: string) => Promise<{ waited: boolean; release: () => void }>;
  /**
   * Blob uploads shared with other processes writing to the same registries: a blob another one
   * uploads is mounted from where it landed instead of sent twice. Workers sharing a queue use it.
   */
  sharedBlobs?: SharedBlobs;
}
