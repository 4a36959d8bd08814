import { LayoutError } from '../errors/index.js';
import type { Layout } from './layout.js';

/**
 * The error for a blob the layout does not hold, saying where it should have come from: a delta
 * bundle carries only what its previous bundle did not, so a blob it lacks came in that earlier
 * bundle, which must be imported into the target first (the target was asked first, and lacks it).
 */
export async function missingBlob(layout: Layout, digest: string): Promise<LayoutError> {
  const file = layout.storage.blobFile(digest);
  const inventory = await layout.ownInventory();
  const origin = inventory?.blobs.get(digest)?.bundle;
  let why: string;
  if (origin !== undefined && origin !== inventory?.bundle) {
    why = `it came in the earlier bundle "${origin}" (this delta was made --since "${inventory?.since}") and must already be at the target: import the bundle "${origin}" there first`;
  } else if (inventory?.since !== undefined) {
    why = `this is a delta bundle made --since "${inventory.since}", whose content must already be at the target: import it there first`;
  } else {
    why = `the layout is incomplete (${file} is missing)`;
  }
  return new LayoutError('BLOB_MISSING', file, `blob ${digest} is not in ${layout.place}: ${why}`);
}
