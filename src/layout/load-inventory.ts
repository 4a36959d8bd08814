import { open, readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { LayoutError, PictureBookError } from '../errors/index.js';
import { ArchiveStorage } from './archive-storage.js';
import { DirStorage } from './dir-storage.js';
import { emptyIndex, parseIndex } from './index-document.js';
import { INVENTORY_FILE, inventoryOf, parseInventory, type Inventory } from './inventory.js';
import { Layout } from './layout.js';
import type { LayoutStorage } from './storage.js';

/** The inventory a bundle carries, or one made from its index.json and blobs (a layout picture-book did not write). */
async function ofBundle(storage: LayoutStorage, path: string): Promise<Inventory> {
  const carried = await storage.readFile(INVENTORY_FILE);
  if (carried) return parseInventory(carried, `${path} (${INVENTORY_FILE})`);
  if (!(await storage.exists())) {
    throw new LayoutError('LAYOUT_INVALID', path, `--since ${path}: not an OCI layout (no index.json) nor a picture-book bundle inventory`);
  }
  const read = await storage.readIndex();
  const index = read ? parseIndex(read.bytes, storage.indexFile) : emptyIndex();
  const owners = await new Layout(storage, path).owners(index);
  return inventoryOf(basename(path), index, await storage.listBlobs(), owners);
}

/** Whether a file starts like JSON (an inventory) rather than a tar header. */
async function looksLikeJson(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    return /^\s*\{/.test(buffer.subarray(0, bytesRead).toString('latin1'));
  } finally {
    await handle.close();
  }
}

/**
 * What a previous bundle holds, for `--since PREVIOUS`: PREVIOUS is its directory (`oci:`), its
 * archive (`oci-archive:`), or the inventory file written beside it (`<bundle>.inventory.json`);
 * an `oci:`/`oci-archive:` prefix is accepted and dropped.
 */
export async function loadInventory(previous: string): Promise<Inventory> {
  const path = resolve(previous.replace(/^oci(-archive)?:/, ''));
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new PictureBookError('USAGE', `--since ${previous}: ${LayoutError.io('read', path, error).message}`);
  }
  if (info.isDirectory()) return ofBundle(new DirStorage(path), path);
  try {
    if (await looksLikeJson(path)) {
      return parseInventory(await readFile(path), path);
    }
  } catch (error) {
    throw LayoutError.io('read', path, error);
  }
  return ofBundle(new ArchiveStorage(path), path);
}
