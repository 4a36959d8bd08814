import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LayoutError } from '../errors/index.js';
import { DigestCheck } from './digest-check.js';
import { serialiseIndex, emptyIndex } from './index-document.js';
import type { BlobSink, LayoutStorage } from './storage.js';
import { removeStaleTemps, syncDirectory, tempName, writeAtomically } from './temp-files.js';

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_LAYOUT_CONTENT = Buffer.from('{"imageLayoutVersion":"1.0.0"}\n');

/** `algorithm:hex` -> `blobs/algorithm/hex` (the digest is checked before it gets here: no `/` in it). */
export function blobMember(digest: string): string {
  const colon = digest.indexOf(':');
  return `blobs/${digest.slice(0, colon)}/${digest.slice(colon + 1)}`;
}

const statOrUndefined = (path: string) =>
  stat(path).catch((error: unknown) => {
    if (LayoutError.isMissing(error)) return undefined;
    throw LayoutError.io('read', path, error);
  });

/**
 * An OCI image layout directory. A blob is streamed to a temporary file in the layout's root,
 * checked against its digest and size, flushed to the disk, then renamed into `blobs/`: a blob
 * file is always complete. index.json is replaced the same way. A killed run leaves at most
 * temporary files, removed by the next run that writes here.
 */
export class DirStorage implements LayoutStorage {
  readonly place: string;
  readonly indexFile: string;
  #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.place = `oci:${dir}`;
    this.indexFile = join(dir, 'index.json');
  }

  blobFile(digest: string): string {
    return join(this.#dir, blobMember(digest));
  }

  async exists(): Promise<boolean> {
    return (await statOrUndefined(this.indexFile)) !== undefined;
  }

  async blobSize(digest: string): Promise<number | undefined> {
    const info = await statOrUndefined(this.blobFile(digest));
    return info?.isFile() ? info.size : undefined;
  }

  async listBlobs(): Promise<Map<string, number>> {
    const blobs = new Map<string, number>();
    const root = join(this.#dir, 'blobs');
    const algorithms = await readdir(root).catch(() => [] as string[]);
    for (const algorithm of algorithms) {
      const names = await readdir(join(root, algorithm)).catch(() => [] as string[]);
      for (const hex of names) {
        const info = await statOrUndefined(join(root, algorithm, hex));
        if (info?.isFile()) blobs.set(`${algorithm}:${hex}`, info.size);
      }
    }
    return blobs;
  }

  async readBlob(digest: string, from: number): Promise<Readable | undefined> {
    const file = this.blobFile(digest);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (LayoutError.isMissing(error)) return undefined;
      throw LayoutError.io('read', file, error);
    }
    return handle.createReadStream({ start: from, highWaterMark: 1024 * 1024 });
  }

  async readIndex(): Promise<{ bytes: Buffer; stamp: string } | undefined> {
    const stamp = await this.indexStamp();
    if (stamp === undefined) return undefined;
    try {
      return { bytes: await readFile(this.indexFile), stamp };
    } catch (error) {
      if (LayoutError.isMissing(error)) return undefined;
      throw LayoutError.io('read', this.indexFile, error);
    }
  }

  async indexStamp(): Promise<string | undefined> {
    const info = await statOrUndefined(this.indexFile);
    return info ? `${info.ino}:${info.size}:${info.mtimeMs}` : undefined;
  }

  /**
   * A missing layout is made whole in a temporary directory beside it and renamed into place, so a
   * reader never sees half of one. An existing directory must be a layout, or empty.
   */
  async prepareWrite(): Promise<void> {
    const info = await statOrUndefined(this.#dir);
    if (!info) await this.#create();
    else if (!info.isDirectory()) throw new LayoutError('LAYOUT_INVALID', this.#dir, `${this.place}: ${this.#dir} is not a directory`);
    else await this.#complete();
    await mkdir(join(this.#dir, 'blobs', 'sha256'), { recursive: true }).catch((error: unknown) => {
      throw LayoutError.io('create', join(this.#dir, 'blobs'), error);
    });
    await removeStaleTemps(this.#dir);
  }

  async #create(): Promise<void> {
    const parent = dirname(this.#dir);
    await mkdir(parent, { recursive: true }).catch((error: unknown) => {
      throw LayoutError.io('create', parent, error);
    });
    const temp = tempName(parent, 'layout');
    try {
      await mkdir(join(temp, 'blobs', 'sha256'), { recursive: true });
      await writeAtomically(join(temp, 'index.json'), serialiseIndex(emptyIndex()));
      await writeAtomically(join(temp, OCI_LAYOUT_FILE), OCI_LAYOUT_CONTENT);
      await rename(temp, this.#dir);
      await syncDirectory(parent);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      // Another writer made it meanwhile: use theirs.
      if ((await statOrUndefined(join(this.#dir, 'index.json'))) !== undefined) return;
      throw LayoutError.io('create', this.#dir, error);
    }
  }

  /** An empty directory becomes a layout (index.json first: a reader needs it more than oci-layout). */
  async #complete(): Promise<void> {
    const hasIndex = (await statOrUndefined(this.indexFile)) !== undefined;
    const hasLayout = (await statOrUndefined(join(this.#dir, OCI_LAYOUT_FILE))) !== undefined;
    if (hasIndex && hasLayout) return;
    if (!hasIndex && !hasLayout) {
      const names = (await readdir(this.#dir)).filter((n) => !n.startsWith('.picture-book-'));
      if (names.length > 0) {
        throw new LayoutError(
          'LAYOUT_INVALID',
          this.#dir,
          `${this.place}: ${this.#dir} is neither an OCI layout (no index.json, no oci-layout) nor empty: refusing to write into it`,
        );
      }
    }
    if (!hasIndex) await writeAtomically(this.indexFile, serialiseIndex(emptyIndex()));
    if (!hasLayout) await writeAtomically(join(this.#dir, OCI_LAYOUT_FILE), OCI_LAYOUT_CONTENT);
  }

  async beginBlob(): Promise<BlobSink> {
    return new DirBlobSink(this.#dir, (digest) => this.blobFile(digest));
  }

  async writeIndex(bytes: Buffer): Promise<string> {
    await writeAtomically(this.indexFile, bytes);
    return (await this.indexStamp()) ?? '';
  }

  async writeFile(name: string, bytes: Buffer): Promise<void> {
    await writeAtomically(join(this.#dir, basename(name)), bytes);
  }

  async readFile(name: string): Promise<Buffer | undefined> {
    const file = join(this.#dir, basename(name));
    try {
      return await readFile(file);
    } catch (error) {
      if (LayoutError.isMissing(error)) return undefined;
      throw LayoutError.io('read', file, error);
    }
  }

  async finish(): Promise<void> {
    // Nothing to do at the end: every write left the directory complete.
  }
}

/** One blob into a temporary file of the layout's root, renamed into `blobs/` once verified and flushed. */
class DirBlobSink implements BlobSink {
  #dir: string;
  #fileOf: (digest: string) => string;
  #temp: string | undefined;

  constructor(dir: string, fileOf: (digest: string) => string) {
    this.#dir = dir;
    this.#fileOf = fileOf;
  }

  async write(body: Readable, digest: string, size: number): Promise<void> {
    const file = this.#fileOf(digest);
    const temp = (this.#temp = tempName(this.#dir, 'blob'));
    let writing = false;
    try {
      // The stream owns the file and closes it, flushed to the disk first (`flush`): a FileHandle's
      // stream left open (autoClose: false) would keep close() of that handle waiting for ever.
      const out = createWriteStream(temp, { flags: 'wx', mode: 0o644, flush: true, highWaterMark: 1024 * 1024 });
      writing = true;
      await pipeline(body, new DigestCheck({ digest, size, file, writing: true }), out);
      writing = false;
      await mkdir(dirname(file), { recursive: true });
      await rename(temp, file);
      this.#temp = undefined;
    } catch (error) {
      await this.cancel();
      // A failure of the body (the source broke, or its bytes were wrong) is the caller's news as it is.
      if (writing && !(error as { syscall?: unknown }).syscall) throw error;
      throw LayoutError.io('write', file, error);
    }
  }

  async cancel(): Promise<void> {
    const temp = this.#temp;
    this.#temp = undefined;
    if (temp) await unlink(temp).catch(() => undefined);
  }
}
