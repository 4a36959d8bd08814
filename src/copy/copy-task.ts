import type { MissingPlatforms } from '../registry/index.js';
import type { EndpointOptions } from '../transport/index.js';
import type { ArtifactTypeFilter } from './referrers/artifact-filter.js';

/**
 * One image to copy. Plain data (plus credentials), idempotent: running it twice leaves the
 * target as running it once, so tasks can be retried or handed to another worker.
 */
export interface CopyTask {
  source: string;
  target: string;
  /** `os/arch[/variant]` (the OS or arch may be `*`); empty = every platform of an index. */
  platforms?: readonly string[];
  /** An image without the platforms asked for: an error (default), or skipped with a note and nothing written. */
  missingPlatforms?: MissingPlatforms;
  /** Copy even when the target already has the source digest. */
  force?: boolean;
  sourceEndpoint?: EndpointOptions;
  targetEndpoint?: EndpointOptions;
  /**
   * The target is a delta bundle (an `oci:` or `oci-archive:` layout) of this previous bundle (its
   * directory, archive or inventory file): what that bundle held is present, and is not written.
   */
  since?: string;
  /**
   * Signatures, attestations and SBOMs follow the image (OCI 1.1 referrers of it and of its index's
   * children, recursively, and cosign's `sha256-<hex>.*` tags): default true.
   */
  referrers?: boolean;
  /** cosign's `sha256-<hex>.*` tags too (default true; only with `referrers`). */
  cosignTags?: boolean;
  /** Which artifact types of referrers travel (default all). */
  artifactTypes?: ArtifactTypeFilter;
}
