import { ImageNotFoundError } from '../errors/index.js';
import type { Reference } from '../reference/index.js';
import type { RepositoryClient } from '../registry/index.js';

/** The error for a reference the source registry has no manifest for. */
export async function imageNotFound(_repo: RepositoryClient, reference: Reference, cause?: unknown): Promise<ImageNotFoundError> {
  return new ImageNotFoundError(reference.toString(), cause === undefined ? undefined : { cause });
}
