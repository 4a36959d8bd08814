import { LayoutError, PictureBookError } from '../errors/index.js';
import { layoutOf } from '../reference/index.js';
import { ArchiveStorage } from './archive-storage.js';
import { DirStorage } from './dir-storage.js';
import { parseIndex, refNameOf } from './index-document.js';
import { parseRefName } from './ref-names.js';

/**
 * The tagged images a layout lists, by repository: every `org.opencontainers.image.ref.name` of its
 * index.json that reads as `repository:tag` (a bare tag, `v1`, under repository ''), each tag once,
 * in the file's order. Names by digest and names that are neither are not tags: left out. What a
 * `mirrors:` rule whose source is a layout lists, as a registry's catalog and tags/list.
 */
export async function layoutTags(place: string): Promise<Map<string, string[]>> {
  const where = layoutOf(place);
  if (!where) throw new PictureBookError('INTERNAL', `not a layout place: ${place}`);
  const storage = where.kind === 'oci' ? new DirStorage(where.path) : new ArchiveStorage(where.path);
  const read = await storage.readIndex();
  if (!read)
    throw new LayoutError('LAYOUT_INVALID', storage.indexFile, `${place} is not an OCI layout: ${storage.indexFile} does not exist`);
  const tags = new Map<string, string[]>();
  for (const entry of parseIndex(read.bytes, storage.indexFile).manifests) {
    const parsed = parseRefName(refNameOf(entry) ?? '');
    if (!parsed || !('tag' in parsed)) continue;
    const list = tags.get(parsed.repository) ?? [];
    if (!list.includes(parsed.tag)) list.push(parsed.tag);
    tags.set(parsed.repository, list);
  }
  return tags;
}
