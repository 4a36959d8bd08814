import { PictureBookError } from '../errors/index.js';
import { Layouts } from '../layout/index.js';
import type { Reference } from '../reference/index.js';
import type { Access, ClientCaller, ContentRepository, RegistryClients } from '../registry/index.js';
import type { EndpointOptions } from '../transport/index.js';

/**
 * Opens the place a reference names as a ContentRepository: a registry repository (through the
 * shared RegistryClients), or the images of an OCI layout under one name (through the shared
 * Layouts). The one spot where the engine tells them apart; everything after sees the interface.
 */
export class Places {
  #clients: RegistryClients;
  #layouts = new Layouts();

  constructor(clients: RegistryClients) {
    this.#clients = clients;
  }

  /**
   * A source layout must exist; a target layout is empty until its first write makes it.
   * `since`: the target is a delta bundle of that previous bundle (layouts only).
   */
  async repository(
    reference: Reference,
    side: 'source' | 'target',
    access: Access,
    endpoint: EndpointOptions | undefined,
    caller: ClientCaller,
    since?: string,
  ): Promise<ContentRepository> {
    if (reference.isLayout) {
      return this.#layouts.repository(reference.registry, reference.repository, {
        mustExist: side === 'source',
        write: side === 'target' && access === 'push',
        signal: caller.signal,
        since,
      });
    }
    if (since !== undefined) {
      throw new PictureBookError(
        'USAGE',
        `--since makes a delta bundle: the target must be an oci: or oci-archive: layout, not ${reference}`,
      );
    }
    return this.#clients.repository(reference.registry, reference.repository, access, endpoint, caller);
  }

  /** Ends a writing run of a layout place: an archive is sealed, the bundle inventory written. Nothing for a registry. */
  finish(place: string): Promise<void> {
    return this.#layouts.finish(place);
  }

  /** Finishes every layout, then closes the registry connections. */
  async close(): Promise<void> {
    try {
      await this.#layouts.close();
    } finally {
      await this.#clients.close();
    }
  }
}
