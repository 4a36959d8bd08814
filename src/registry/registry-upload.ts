import type { Readable } from 'node:stream';
import type { BlobUpload } from './content-repository.js';
import type { RepositoryContext } from './repository-context.js';
import { appendUpload, cancelUpload, completeUpload, uploadBlob, uploadStatus, type UploadSession } from './uploads.js';

/**
 * An upload session of a registry as a BlobUpload. It keeps the newest `Location` the registry
 * returned (only that one is valid). The first try sends the whole blob in the PUT that closes the
 * session; after a break it asks the session where it stands and sends the rest in one PATCH and a
 * closing PUT (see uploads.ts). The same requests as before: none is added.
 */
export class RegistryUpload implements BlobUpload {
  #ctx: RepositoryContext;
  #session: UploadSession;

  constructor(ctx: RepositoryContext, session: UploadSession) {
    this.#ctx = ctx;
    this.#session = session;
  }

  send(body: Readable, digest: string, size: number): Promise<void> {
    return uploadBlob(this.#ctx, this.#session, digest, size, body);
  }

  async resumeOffset(): Promise<number | undefined> {
    const status = await uploadStatus(this.#ctx, this.#session);
    if (!status) return undefined;
    this.#session = status.session;
    return status.offset;
  }

  async sendRest(body: Readable, offset: number, digest: string, size: number): Promise<void> {
    this.#session = await appendUpload(this.#ctx, this.#session, offset, size, body);
    await completeUpload(this.#ctx, this.#session, digest);
  }

  cancel(): Promise<void> {
    return cancelUpload(this.#ctx, this.#session);
  }
}
