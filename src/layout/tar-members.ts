import type { FileHandle } from 'node:fs/promises';
import { Header, Pax, type HeaderData } from 'tar';
import { LayoutError } from '../errors/index.js';

const BLOCK = 512;

/** One regular file of a tar: where its bytes are in the tar file. */
export interface TarMember {
  name: string;
  /** Offset of its first data byte. */
  offset: number;
  size: number;
}

export interface TarScan {
  /** Regular files by name ('./' dropped); a name written twice maps to its last copy, as extraction leaves it. */
  members: Map<string, TarMember>;
  /** Where the last complete member ends: a member cut short by a killed writer, and the end blocks, lie beyond. */
  end: number;
}

export const paddedSize = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

function normalise(path: string): string {
  return path.replace(/^(\.\/|\/)+/, '');
}

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, offset);
  return buffer.subarray(0, bytesRead);
}

/**
 * Reads a tar's headers only, seeking past every member's data, to know where each file's bytes
 * are: a layout in a tar is then read in place, member by member, without extracting it (its
 * index.json is usually last, which a reader of a stream would have to buffer up to). pax and GNU
 * long-name headers are honoured. A member cut short (a writer killed mid-way) ends the scan there.
 */
export async function scanTar(handle: FileHandle, file: string, fileSize: number): Promise<TarScan> {
  const members = new Map<string, TarMember>();
  let offset = 0;
  let extended: HeaderData | undefined;
  let global: HeaderData | undefined;
  while (offset + BLOCK <= fileSize) {
    const block = await readAt(handle, offset, BLOCK);
    if (block.length < BLOCK || block.every((b) => b === 0)) break;
    const header = new Header(block, 0, extended, global);
    if (!header.cksumValid) {
      const gzip = offset === 0 && block[0] === 0x1f && block[1] === 0x8b;
      const why = gzip
        ? 'it is compressed (gzip): picture-book reads an uncompressed tar, gunzip it first'
        : `no valid tar header at byte ${offset}`;
      throw new LayoutError('LAYOUT_INVALID', file, `${file} is not a tar archive: ${why}`);
    }
    const size = header.size ?? 0;
    const next = offset + BLOCK + paddedSize(size);
    if (next > fileSize) break;
    const type = header.type;
    if (type === 'ExtendedHeader' || type === 'GlobalExtendedHeader' || type === 'NextFileHasLongPath') {
      const text = (await readAt(handle, offset + BLOCK, size)).toString('utf8');
      if (type === 'ExtendedHeader') extended = Pax.parse(text, extended);
      else if (type === 'GlobalExtendedHeader') global = Pax.parse(text, global, true);
      else extended = { ...extended, path: text.replace(/\0.*$/s, '') };
    } else {
      if (type === 'File' || type === 'OldFile' || type === 'ContiguousFile') {
        const name = normalise(header.path ?? '');
        members.set(name, { name, offset: offset + BLOCK, size });
      }
      extended = undefined;
    }
    offset = next;
  }
  return { members, end: offset };
}

/** The header block(s) of a regular file `name` of `size` bytes: a pax header first when ustar cannot hold it. */
export function fileHeader(name: string, size: number, mtime: Date): Buffer {
  const data: HeaderData = { path: name, size, mode: 0o644, mtime, type: 'File', uid: 0, gid: 0 };
  const header = new Header(data);
  const block = Buffer.alloc(BLOCK);
  header.encode(block, 0);
  if (!header.needPax) return block;
  return Buffer.concat([new Pax(data).encode(), block]);
}

/** Zero bytes that bring `size` up to a whole block. */
export function padding(size: number): Buffer {
  return Buffer.alloc(paddedSize(size) - size);
}

/** Two zero blocks: the end of a tar. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);
