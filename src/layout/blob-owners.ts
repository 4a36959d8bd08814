import { referencedBlobs, type ParsedManifest } from '../registry/index.js';
import { refNameOf, type IndexDocument } from './index-document.js';
import { parseRefName } from './ref-names.js';

/**
 * Which repositories use each blob (manifests included) of the images index.json lists by name:
 * a registry keeps blobs per repository, so a delta bundle may leave a blob out only for the
 * repositories that got it from an earlier bundle. `read` gives a manifest the layout holds
 * (undefined when it is not there: its blobs are then unknown, and a delta carries them again).
 */
export async function blobOwners(
  index: IndexDocument,
  read: (digest: string, mediaType: string | undefined) => Promise<ParsedManifest | undefined>,
): Promise<Map<string, Set<string>>> {
  const owners = new Map<string, Set<string>>();
  const own = (digest: string, repository: string): boolean => {
    let set = owners.get(digest);
    if (!set) owners.set(digest, (set = new Set()));
    if (set.has(repository)) return false;
    set.add(repository);
    return true;
  };
  const visit = async (digest: string, mediaType: string | undefined, repository: string): Promise<void> => {
    if (!own(digest, repository)) return;
    const manifest = await read(digest, mediaType);
    if (manifest?.kind === 'index') for (const child of manifest.manifests) await visit(child.digest, child.mediaType, repository);
    else if (manifest) for (const blob of referencedBlobs(manifest)) own(blob.digest, repository);
  };
  for (const entry of index.manifests) {
    const name = parseRefName(refNameOf(entry) ?? '');
    if (name) await visit(entry.digest, entry.mediaType, name.repository);
  }
  return owners;
}
