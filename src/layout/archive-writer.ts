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
import { BLOCK_SIZE, END_OF_ARCHIVE, fileHeader, padding, paddedSize, scanTar, type TarMember } from './tar-members.js';

/** The member that joins an appended part onto a finished archive (see ArchiveWriter.finish). */
export const JOINT_MEMBER = 'picture-book-appended';

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
 *
 * Appending to a finished archive leaves its old bytes as they are until the very end: new members
 * go after its two end blocks, where readers (which stop at the end blocks) do not look, so a run
 * killed at any moment leaves the old archive readable and whole; the next run takes over the
 * complete members it finds after the end blocks. Only once the new part is complete and flushed
 * is it joined on (see finish).
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

  /**
   * Appending to a finished archive: where its end blocks are (the joint), and whether the tail
   * after them was cut to size yet (done at the first write, so a run that writes nothing leaves
   * the file as it was), and whether a killed run left complete members there (then the run must
   * join them on, even with nothing new of its own).
   */
  #joint: { at: number; prepared: boolean; tail: boolean } | undefined;

  private constructor(
    handle: FileHandle,
    file: string,
    scan: { members: Map<string, TarMember>; end: number },
    joint?: { at: number; tail: boolean },
  ) {
    this.#handle = handle;
    this.#file = file;
    this.members = scan.members;
    this.#end = scan.end;
    this.#joint = joint && { ...joint, prepared: false };
  }

  /**
   * Opens (or creates) `file` to write. `resume` (a file no reader is given yet: a new archive's
   * `.partial`, maybe a killed run's): its complete members are kept and what follows them is cut.
   * `append` (a finished archive): see the class comment; a killed append's complete members after
   * the old end are taken over.
   */
  static async open(file: string, mode: 'resume' | 'append'): Promise<ArchiveWriter> {
    try {
      await mkdir(dirname(file), { recursive: true });
      const handle = await open(file, 'r+').catch(async (error: unknown) => {
        if (LayoutError.isMissing(error) && mode === 'resume') return open(file, 'wx+', 0o644);
        throw error;
      });
      const { size } = await handle.stat();
      const scan = await scanTar(handle, file, size);
      // A member cut short: no reader can read this file whole anyway, so it is written on in place.
      if (mode === 'resume' || scan.stop === 'cut') {
        await handle.truncate(scan.end);
        return new ArchiveWriter(handle, file, scan);
      }
      const tailStart = scan.end + END_OF_ARCHIVE.length;
      if (size <= tailStart)
        return new ArchiveWriter(handle, file, { members: scan.members, end: tailStart }, { at: scan.end, tail: false });
      const tail = await scanTar(handle, file, size, tailStart, true);
      const members = new Map([...scan.members, ...tail.members]);
      return new ArchiveWriter(handle, file, { members, end: tail.end }, { at: scan.end, tail: tail.members.size > 0 });
    } catch (error) {
      throw LayoutError.io('open for writing', file, error);
    }
  }

  /**
   * Before the first write after a finished archive's end: its end blocks are made sure to be two
   * zero blocks (old readers stop there), and the tail is cut after its last complete member.
   */
  async #prepareTail(): Promise<void> {
    if (!this.#joint || this.#joint.prepared) return;
    const at = this.#joint.at;
    const { bytesRead, buffer } = await this.#handle.read(Buffer.alloc(END_OF_ARCHIVE.length), 0, END_OF_ARCHIVE.length, at);
    if (bytesRead < END_OF_ARCHIVE.length || !buffer.every((b) => b === 0)) {
      await this.#handle.write(END_OF_ARCHIVE, 0, END_OF_ARCHIVE.length, at);
    }
    await this.#handle.truncate(this.#end);
    this.#joint.prepared = true;
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
    try {
      await this.#prepareTail();
    } catch (error) {
      throw LayoutError.io('write', file, error);
    }
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

  /** Whether the tar holds a member `name` whose bytes are `bytes` (the last copy of that name). */
  async #holds(name: string, bytes: Buffer): Promise<boolean> {
    const member = this.members.get(name);
    if (member?.size !== bytes.length) return false;
    const held = Buffer.alloc(member.size);
    const { bytesRead } = await this.#handle.read(held, 0, member.size, member.offset);
    return bytesRead === member.size && held.equals(bytes);
  }

  /**
   * The files kept for the end that the tar does not hold already (the inventory, index.json last;
   * an empty index when the tar has none), then the end blocks, flushed. Appending to a finished
   * archive, the new part is then joined on: the old end blocks become one header of a 512-byte
   * member (`picture-book-appended`, whose bytes are the second old end block), one aligned
   * 512-byte write that a kill cannot split. Resolves false when nothing was written at all (a run
   * with nothing new leaves a finished archive as it was).
   */
  async finish(): Promise<boolean> {
    const files: Array<[string, Buffer]> = [];
    for (const [name, bytes] of this.pendingFiles) if (!(await this.#holds(name, bytes))) files.push([name, bytes]);
    const index = this.pendingIndex?.bytes ?? (this.members.has('index.json') ? undefined : serialiseIndex(emptyIndex()));
    if (index && !(await this.#holds('index.json', index))) files.push(['index.json', index]);
    const joint = this.#joint;
    if (joint && files.length === 0 && !joint.prepared && !joint.tail) {
      await this.#handle.close().catch(() => undefined);
      return false;
    }
    for (const [name, bytes] of files) await this.appendFile(name, bytes);
    const release = await this.acquire();
    try {
      await this.#prepareTail();
      await this.#handle.write(END_OF_ARCHIVE, 0, END_OF_ARCHIVE.length, this.#end);
      await this.#handle.sync();
      if (joint) {
        const header = fileHeader(JOINT_MEMBER, BLOCK_SIZE, new Date());
        if (header.length !== BLOCK_SIZE) throw new Error(`the joint header is ${header.length} bytes, not one block`);
        await this.#handle.write(header, 0, header.length, joint.at);
        await this.#handle.sync();
      }
      await this.#handle.close();
      return true;
    } catch (error) {
      throw LayoutError.io('write', this.#file, error);
    } finally {
      release();
    }
  }
}
