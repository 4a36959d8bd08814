import { PictureBookError } from '../errors/index.js';
import { layoutOf } from '../reference/index.js';
import { ArchiveStorage } from './archive-storage.js';
import { DirStorage } from './dir-storage.js';
import { loadInventory } from './load-inventory.js';
import { Layout } from './layout.js';
import { LayoutRepository } from './layout-repository.js';

export interface OpenLayoutOptions {
  /** A source must exist; a target is made by its first write. */
  mustExist: boolean;
  /**
   * Opened to write (a copy, not a plan). An archive is then taken over at once: a killed run's
   * `FILE.partial` holds complete members the copy must see as present, or they would be appended twice.
   */
  write?: boolean;
  signal?: AbortSignal | undefined;
  /** A delta bundle: the previous bundle (directory, archive or inventory file) whose content is not written again. */
  since?: string | undefined;
}

/**
 * The layouts a process has open, one Layout per place, so every copy into one layout shares its
 * index.json writer and what it knows. `finish` ends a writing run of one layout (an archive is
 * sealed, inventories are written); `close` finishes them all.
 */
export class Layouts {
  #open = new Map<string, { layout: Promise<Layout>; since: string | undefined }>();

  /** A repository of the layout `place` (`oci:/abs/dir`, `oci-archive:/abs/file.tar`). */
  async repository(place: string, name: string, options: OpenLayoutOptions): Promise<LayoutRepository> {
    const layout = await this.#layout(place, options.since);
    // A delta bundle is made even when nothing is new: an empty layout (no manifests) whose inventory
    // covers the base, so the next delta can be made `--since` it and the import finds a layout.
    if (options.write && (layout.storage instanceof ArchiveStorage || layout.base !== undefined)) await layout.prepareWrite();
    return new LayoutRepository(layout, name, { mustExist: options.mustExist, signal: options.signal });
  }

  #layout(place: string, since: string | undefined): Promise<Layout> {
    const open = this.#open.get(place);
    if (open) {
      if (since !== undefined && open.since !== since) {
        throw new PictureBookError('USAGE', `${place} is already being written in this run, not --since ${since}`);
      }
      return open.layout;
    }
    const layout = this.#create(place, since);
    this.#open.set(place, { layout, since });
    // A failed open (a bad --since) is not kept: the next copy gets the same error afresh.
    layout.catch(() => this.#open.delete(place));
    return layout;
  }

  async #create(place: string, since: string | undefined): Promise<Layout> {
    const where = layoutOf(place);
    if (!where) throw new PictureBookError('INTERNAL', `not a layout place: ${place}`);
    const base = since === undefined ? undefined : await loadInventory(since);
    const storage = where.kind === 'oci' ? new DirStorage(where.path) : new ArchiveStorage(where.path);
    return new Layout(storage, where.path, { base });
  }

  /** Ends the writing run of one layout (no-op for one not open here or only read). */
  async finish(place: string): Promise<void> {
    const open = this.#open.get(place);
    if (!open) return;
    this.#open.delete(place);
    await (await open.layout).finish();
  }

  /** Finishes every layout; the first failure is thrown once all were tried. */
  async close(): Promise<void> {
    const places = [...this.#open.keys()];
    const results = await Promise.allSettled(places.map((place) => this.finish(place)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
