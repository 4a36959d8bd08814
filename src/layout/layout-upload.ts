import type { Readable } from 'node:stream';
import type { BlobUpload } from '../registry/index.js';
import type { BlobSink } from './storage.js';

/**
 * A new blob into a layout: a temporary file (a tar's next member), verified, then kept. A write
 * that broke keeps nothing (a local disk gives no cause to resume), so the copy starts over.
 */
export class LayoutUpload implements BlobUpload {
  #sink: BlobSink;

  constructor(sink: BlobSink) {
    this.#sink = sink;
  }

  send(body: Readable, digest: string, size: number): Promise<void> {
    return this.#sink.write(body, digest, size);
  }

  async resumeOffset(): Promise<number | undefined> {
    return undefined;
  }

  /** Never called: resumeOffset never offers an offset. */
  async sendRest(body: Readable, _offset: number, digest: string, size: number): Promise<void> {
    await this.#sink.write(body, digest, size);
  }

  cancel(): Promise<void> {
    return this.#sink.cancel();
  }
}
