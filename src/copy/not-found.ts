import { ImageNotFoundError } from '../errors/index.js';
import type { ContentRepository } from '../registry/index.js';

/**
 * The error for a reference the source has no manifest for, saying which part is missing. A HEAD
 * 404 has no body, and distribution answers MANIFEST_UNKNOWN for a manifest of an unknown
 * repository too, so the repository's tag list is asked: 404 (NAME_UNKNOWN) means no repository.
 */
export async function imageNotFound(
  repo: ContentRepository,
  shown: string,
  identifier: string,
  cause?: unknown,
): Promise<ImageNotFoundError> {
  const exists = await repo.exists();
  const part = identifier.includes(':') ? 'digest' : 'tag';
  const missing = exists === undefined ? undefined : exists ? part : 'repository';
  return new ImageNotFoundError(shown, { missing, repository: repo.where, identifier, cause });
}
