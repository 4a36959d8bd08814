import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

/** Where image-writer puts blobs and named manifests; `{dir}` in a returned ref is the final dir. */
export interface LayoutSink {
  init(): Promise<void>;
  addFile(file: string, digest: string): Promise<void>;
  addBytes(bytes: Buffer): Promise<{ digest: string; size: number }>;
  /** Names a manifest already added with addBytes; returns its skopeo reference template. */
  addRef(name: string, descriptor: Descriptor): Promise<string>;
  finish(): Promise<void>;
}

export const DIR_PLACEHOLDER = '{dir}';

/** Serialises JSON with 3-space indents: valid, but unlike any re-serialisation, so a tool that
 * rewrites a manifest instead of copying its bytes changes the digest and fails the test. */
export function fixtureJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 3));
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

/** Hard-links a cached layer in (same filesystem, so no 100 MB copy); copies if linking fails. */
export async function linkOrCopy(file: string, target: string): Promise<void> {
  try {
    await link(file, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    await copyFile(file, target);
  }
}

/** An OCI image layout: `oci-layout`, `blobs/sha256/*`, and an `index.json` of named refs. */
export class OciLayoutWriter implements LayoutSink {
  #dir: string;
  #refs: Descriptor[] = [];

  constructor(dir: string) {
    this.#dir = dir;
  }

  async init(): Promise<void> {
    await mkdir(join(this.#dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(this.#dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  #blobPath(digest: string): string {
    return join(this.#dir, 'blobs', 'sha256', hexOf(digest));
  }

  addFile(file: string, digest: string): Promise<void> {
    return linkOrCopy(file, this.#blobPath(digest));
  }

  async addBytes(bytes: Buffer): Promise<{ digest: string; size: number }> {
    const digest = sha256(bytes);
    await writeFile(this.#blobPath(digest), bytes);
    return { digest, size: bytes.length };
  }

  async addRef(name: string, descriptor: Descriptor): Promise<string> {
    this.#refs.push({ ...descriptor, annotations: { 'org.opencontainers.image.ref.name': name } });
    return `oci:${DIR_PLACEHOLDER}:${name}`;
  }

  async finish(): Promise<void> {
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: this.#refs };
    await writeFile(join(this.#dir, 'index.json'), JSON.stringify(index));
  }
}
