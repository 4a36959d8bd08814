import { HttpError, PictureBookError } from '../errors/index.js';
import type { RepositoryContext } from './repository-context.js';

/**
 * A registry that serves reads only (distribution's `storage.maintenance.readonly`, a pull-through
 * mirror) answers every write 405 Method Not Allowed. Said plainly, since the raw
 * `POST .../blobs/uploads/: 405 Method not allowed` does not tell a user what to do.
 */
export function readOnlyError(ctx: RepositoryContext, error: unknown): PictureBookError | undefined {
  if (!(error instanceof HttpError) || error.status !== 405) return undefined;
  const registry = ctx.transport.registry;
  return new PictureBookError(
    'READ_ONLY',
    `target registry ${registry} does not accept pushes (read-only: ${error.method} answered 405 Method Not Allowed); cannot write ${registry}/${ctx.name}: push to a registry that allows writes`,
    { cause: error },
  );
}
