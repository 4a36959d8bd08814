import type { Readable } from 'node:stream';

/** Where one new blob's bytes go, until they are verified and kept, or dropped. */
export interface BlobSink {
  /** Streams `body` in, checks its digest and size, and keeps it under its digest; on any failure keeps nothing. */
  write(body: Readable, digest: string, size: number): Promise<void>;
  /** Gives up the sink without writing (best effort, never throws). */
  cancel(): Promise<void>;
}

/**
 * The files of an OCI layout: a directory, or a tar file. The layout logic above (names, index,
 * what is present) is the same for both; this is only where the bytes are.
 */
export interface LayoutStorage {
  /** `oci:/abs/dir` or `oci-archive:/abs/file.tar`. */
  readonly place: string;
  /** How messages name a blob's file. */
  blobFile(digest: string): string;
  /** How messages name index.json. */
  readonly indexFile: string;
  /** Whether the layout is there at all (a source that is not is an error). */
  exists(): Promise<boolean>;
  /** The size of a complete blob held, undefined when absent. */
  blobSize(digest: string): Promise<number | undefined>;
  /** Every complete blob held, with its size (for the bundle inventory). */
  listBlobs(): Promise<Map<string, number>>;
  /** A blob's bytes from `from` on, unverified; undefined when the blob is absent. */
  readBlob(digest: string, from: number): Promise<Readable | undefined>;
  /** index.json's bytes, undefined when there is none yet; `stamp` changes when the file changes. */
  readIndex(): Promise<{ bytes: Buffer; stamp: string } | undefined>;
  /** What readIndex's stamp would be now, without reading (undefined: no index.json). */
  indexStamp(): Promise<string | undefined>;
  /** Makes the layout writable (created when missing); called once before any write. */
  prepareWrite(): Promise<void>;
  /** A sink for one new blob (an archive hands out one at a time: this waits for it). */
  beginBlob(): Promise<BlobSink>;
  /** Replaces index.json (a directory: atomically, write and rename); resolves with its new stamp. */
  writeIndex(bytes: Buffer): Promise<string>;
  /** Writes a small file beside index.json (the bundle inventory) the same way. */
  writeFile(name: string, bytes: Buffer): Promise<void>;
  /** Reads such a file; undefined when absent. */
  readFile(name: string): Promise<Buffer | undefined>;
  /** Ends a writing run: an archive gets its index.json and becomes complete. Nothing for a directory. */
  finish(): Promise<void>;
}
