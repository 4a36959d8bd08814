/**
 * OCI image layouts, as a directory (`oci:DIR`) or a tar file (`oci-archive:FILE.tar`): the second
 * implementation, after the registry's, of the ContentRepository the copy engine talks to. One
 * layout holds many repositories (images named `repository:tag` in index.json). Writing is
 * incremental and crash-safe (blobs verified then renamed into place, index.json replaced only once
 * an image is complete); a bundle can be a delta of a previous one (`--since`), with an inventory.
 */
export { Layouts, type OpenLayoutOptions } from './layouts.js';
export { LayoutRepository } from './layout-repository.js';
export { loadInventory } from './load-inventory.js';
export { INVENTORY_FILE, INVENTORY_MEDIA_TYPE, type Inventory } from './inventory.js';
export { REF_NAME } from './index-document.js';
export { parseRefName, tagRefName, type ParsedRefName } from './ref-names.js';
