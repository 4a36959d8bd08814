import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LayoutError } from '../errors/index.js';
import { sha256Digest } from '../registry/index.js';
import { DigestCheck } from './digest-check.js';
import { blobMember } from './dir-storage.js';
import { emptyIndex, serialiseIndex } from './index-document.js';
import type { BlobSink } from './storage.js';
import { END_OF_ARCHIVE, fileHeader, padding, paddedSize, scanTar, type TarMember } from './tar-members.js';

/** Writes a stream's bytes at a position of the file, on and on. */
class PositionedWriter extends Writable {
  #handle: FileHandle;
  #position: number;

  constructor(handle: FileHandle, position: number) {
    super({ highWaterMark: 1024 * 1024 });
    this.#handle = handle;
    this.#position = position;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const at = this.#position;
    this.#position += chunk.length;
    this.#handle.write(chunk, 0, chunk.length, at).then(
      () => callback(),
      (error: unknown) => callback(error as Error),
    );
  }
}

/**
 * The tar of an archive being written: members are appended one at a time at its end (a blob's
 * bytes must follow its header), so a blob sink is handed out only once the previous one is done.
 * A member that fails is cut off again, so the file always ends with complete members.
 */
export class ArchiveWriter {
  readonly members: Map<string, TarMember>;
  /** Files to put in before index.json at the end (the inventory). */
  readonly pendingFiles = new Map<string, Buffer>();
  pendingIndex: { bytes: Buffer; stamp: string } | undefined;
  #handle: FileHandle;
  #file: string;
  #end: number;
  #lock: Promise<void> = Promise.resolve();
  #stamps = 0;

  private constructor(handle: FileHandle, file: string, members: Map<string, TarMember>, end: number) {
    this.#handle = handle;
    this.#file = file;
    this.members = members;
    this.#end = end;
  }

  /** Opens (or creates) `file`, keeps its complete members and cuts off what follows them. */
  static async open(file: string): Promise<ArchiveWriter> {
    try {
      await mkdir(dirname(file), { recursive: true });
      const handle = await open(file, 'r+').catch(async (error: unknown) => {
        if (LayoutError.isMissing(error)) return open(file, 'wx+', 0o644);
        throw error;
      });
      const { size } = await handle.stat();
      const scan = await scanTar(handle, file, size);
      await handle.truncate(scan.end);
      return new ArchiveWriter(handle, file, scan.members, scan.end);
    } catch (error) {
      throw LayoutError.io('open for writing', file, error);
    }
  }

  /** Waits for the tar's end to be free; the returned function frees it. */
  async acquire(): Promise<() => void> {
    let release = (): void => {};
    const previous = this.#lock;
    this.#lock = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }

  /** Appends one member from a stream, verified; on failure the file is cut back to where it was. */
  async append(name: string, body: Readable, digest: string, size: number, file: string): Promise<void> {
    const start = this.#end;
    const header = fileHeader(name, size, new Date());
    let writing = false;
    try {
      await this.#handle.write(header, 0, header.length, start);
      writing = true;
      await pipeline(
        body,
        new DigestCheck({ digest, size, file, writing: true }),
        new PositionedWriter(this.#handle, start + header.length),
      );
      writing = false;
      const pad = padding(size);
      await this.#handle.write(pad, 0, pad.length, start + header.length + size);
    } catch (error) {
      await this.#handle.truncate(start).catch(() => undefined);
      if (writing && !(error as { syscall?: unknown }).syscall) throw error;
      throw LayoutError.io('write', file, error);
    }
    this.members.set(name, { name, offset: start + header.length, size });
    this.#end = start + header.length + paddedSize(size);
  }

  async appendFile(name: string, bytes: Buffer): Promise<void> {
    const release = await this.acquire();
    try {
      await this.append(name, Readable.from([bytes]), sha256Digest(bytes), bytes.length, `${this.#file} (${name})`);
    } finally {
      release();
    }
  }

  /** A sink for the next blob: it waits until the tar's end is free, and frees it when done. */
  async beginBlob(fileOf: (digest: string) => string): Promise<BlobSink> {
    const release = await this.acquire();
    let open = true;
    const done = (): void => {
      if (open) release();
      open = false;
    };
    return {
      write: async (body, digest, size) => {
        try {
          await this.append(blobMember(digest), body, digest, size, fileOf(digest));
        } finally {
          done();
        }
      },
      cancel: async () => done(),
    };
  }

  setIndex(bytes: Buffer): string {
    const stamp = `pending:${++this.#stamps}`;
    this.pendingIndex = { bytes, stamp };
    return stamp;
  }

  /** The files kept for the end, index.json last (an empty one when the tar has none), the end blocks. */
  async finish(): Promise<void> {
    for (const [name, bytes] of this.pendingFiles) await this.appendFile(name, bytes);
    if (this.pendingIndex) await this.appendFile('index.json', this.pendingIndex.bytes);
    else if (!this.members.has('index.json')) await this.appendFile('index.json', serialiseIndex(emptyIndex()));
    const release = await this.acquire();
    try {
      await this.#handle.write(END_OF_ARCHIVE, 0, END_OF_ARCHIVE.length, this.#end);
      await this.#handle.sync();
      await this.#handle.close();
    } catch (error) {
      throw LayoutError.io('write', this.#file, error);
    } finally {
      release();
    }
  }
}
