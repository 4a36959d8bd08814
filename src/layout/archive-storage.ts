import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { LayoutError } from '../errors/index.js';
import { ArchiveWriter } from './archive-writer.js';
import { blobMember, OCI_LAYOUT_CONTENT, OCI_LAYOUT_FILE } from './dir-storage.js';
import type { BlobSink, LayoutStorage } from './storage.js';
import { scanTar, type TarMember } from './tar-members.js';
import { syncDirectory } from './temp-files.js';

/**
 * An OCI layout in a tar file (`oci-archive:`). Read in place: the tar's headers are scanned once
 * (seeking past the data) and each blob is streamed from its byte range, never extracted.
 *
 * Written as a stream, in this order: `oci-layout`, then each blob as its bytes arrive (one at a
 * time: a blob's header says its size, and its bytes must follow it), then at the end the bundle
 * inventory and `index.json` (which lists only images whose every blob is in the tar before it),
 * and the two end blocks. The tar is written as `FILE.partial` and renamed to `FILE` once whole:
 * a killed run leaves the partial file, and the next run cuts it after its last complete member
 * and goes on from there. Writing to an existing archive appends to it in the same way (its old
 * index.json stays inside, superseded by the new one at the end: extraction keeps the last).
 */
export class ArchiveStorage implements LayoutStorage {
  readonly place: string;
  readonly indexFile: string;
  #file: string;
  #partial: string;
  /** Reading: the scan of the file as it was (`stamp`); writing: the writer, which owns the members. */
  #read: { stamp: string; members: Map<string, TarMember> } | undefined;
  #writer: ArchiveWriter | undefined;

  constructor(file: string) {
    this.#file = file;
    this.#partial = `${file}.partial`;
    this.place = `oci-archive:${file}`;
    this.indexFile = `${file} (index.json)`;
  }

  blobFile(digest: string): string {
    return `${this.#file} (${blobMember(digest)})`;
  }

  /** The members, from the writer while writing, else from a scan of the finished file (again when it changed). */
  async #members(): Promise<Map<string, TarMember> | undefined> {
    if (this.#writer) return this.#writer.members;
    const info = await stat(this.#file).catch((error: unknown) => {
      if (LayoutError.isMissing(error)) return undefined;
      throw LayoutError.io('read', this.#file, error);
    });
    if (!info) return undefined;
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (this.#read?.stamp !== stamp) {
      const handle = await open(this.#file, 'r').catch((error: unknown) => {
        throw LayoutError.io('read', this.#file, error);
      });
      try {
        this.#read = { stamp, members: (await scanTar(handle, this.#file, info.size)).members };
      } finally {
        await handle.close();
      }
    }
    return this.#read.members;
  }

  /** The file members are read from now: the partial one while writing. */
  get #current(): string {
    return this.#writer ? this.#partial : this.#file;
  }

  async exists(): Promise<boolean> {
    return (await this.#members())?.has('index.json') === true || this.#writer?.pendingIndex !== undefined;
  }

  async blobSize(digest: string): Promise<number | undefined> {
    return (await this.#members())?.get(blobMember(digest))?.size;
  }

  async listBlobs(): Promise<Map<string, number>> {
    const blobs = new Map<string, number>();
    for (const [name, member] of (await this.#members()) ?? []) {
      const match = /^blobs\/([^/]+)\/([^/]+)$/.exec(name);
      if (match) blobs.set(`${match[1]}:${match[2]}`, member.size);
    }
    return blobs;
  }

  async readBlob(digest: string, from: number): Promise<Readable | undefined> {
    const member = (await this.#members())?.get(blobMember(digest));
    return member ? this.#readMember(member, from) : undefined;
  }

  async #readMember(member: TarMember, from = 0): Promise<Readable> {
    if (from >= member.size) return Readable.from([]);
    let handle: FileHandle;
    try {
      handle = await open(this.#current, 'r');
    } catch (error) {
      throw LayoutError.io('read', this.#current, error);
    }
    return handle.createReadStream({ start: member.offset + from, end: member.offset + member.size - 1, highWaterMark: 1024 * 1024 });
  }

  async #readSmall(name: string): Promise<Buffer | undefined> {
    const member = (await this.#members())?.get(name);
    if (!member) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.#readMember(member)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async readIndex(): Promise<{ bytes: Buffer; stamp: string } | undefined> {
    const pending = this.#writer?.pendingIndex;
    if (pending) return pending;
    const stamp = await this.indexStamp();
    const bytes = await this.#readSmall('index.json');
    return bytes && stamp !== undefined ? { bytes, stamp } : undefined;
  }

  async indexStamp(): Promise<string | undefined> {
    const pending = this.#writer?.pendingIndex;
    if (pending) return pending.stamp;
    const member = (await this.#members())?.get('index.json');
    return member ? `${this.#read?.stamp ?? 'partial'}@${member.offset}` : undefined;
  }

  async readFile(name: string): Promise<Buffer | undefined> {
    return this.#writer?.pendingFiles.get(name) ?? (await this.#readSmall(name));
  }

  /** Takes over `FILE.partial` (a killed run's), or renames `FILE` to it to append, or starts one. */
  async prepareWrite(): Promise<void> {
    const has = (path: string) =>
      stat(path).then(
        () => true,
        () => false,
      );
    try {
      if (!(await has(this.#partial)) && (await has(this.#file))) await rename(this.#file, this.#partial);
    } catch (error) {
      throw LayoutError.io('open for writing', this.#file, error);
    }
    this.#writer = await ArchiveWriter.open(this.#partial);
    if (!this.#writer.members.has(OCI_LAYOUT_FILE)) await this.#writer.appendFile(OCI_LAYOUT_FILE, OCI_LAYOUT_CONTENT);
  }

  async beginBlob(): Promise<BlobSink> {
    if (!this.#writer) throw new LayoutError('LAYOUT_INVALID', this.#file, `${this.place}: not opened for writing`);
    return this.#writer.beginBlob((digest) => this.blobFile(digest));
  }

  /** Kept until the end: index.json goes last into the tar, once. */
  async writeIndex(bytes: Buffer): Promise<string> {
    if (!this.#writer) throw new LayoutError('LAYOUT_INVALID', this.#file, `${this.place}: not opened for writing`);
    return this.#writer.setIndex(bytes);
  }

  async writeFile(name: string, bytes: Buffer): Promise<void> {
    this.#writer?.pendingFiles.set(name, bytes);
  }

  /** Appends the inventory, index.json and the end blocks, then renames the partial file into place. */
  async finish(): Promise<void> {
    const writer = this.#writer;
    if (!writer) return;
    await writer.finish();
    this.#writer = undefined;
    try {
      await rename(this.#partial, this.#file);
      await syncDirectory(dirname(this.#file));
    } catch (error) {
      throw LayoutError.io('rename into place', this.#file, error);
    }
  }
}
