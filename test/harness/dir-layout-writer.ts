import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIR_PLACEHOLDER, hexOf, linkOrCopy, sha256, type Descriptor, type LayoutSink } from './layout-writer.js';

/**
 * skopeo's `dir:` transport layout, used for Docker-format images because skopeo 1.9.3's `oci:`
 * transport only looks up index.json entries with OCI media types ("no descriptor found for
 * reference"). `dir:` takes the manifest type from the bytes, so Docker schema2 manifests and
 * manifest lists push unchanged with --preserve-digests. Layout: `version`, blobs named by hex
 * digest, `manifest.json` (the top manifest) and `<hex>.manifest.json` for each child of a list.
 */
const VERSION = 'Directory Transport Version: 1.1\n';

export class DirLayoutWriter implements LayoutSink {
  #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await writeFile(join(this.#dir, 'version'), VERSION);
  }

  addFile(file: string, digest: string): Promise<void> {
    return linkOrCopy(file, join(this.#dir, hexOf(digest)));
  }

  async addBytes(bytes: Buffer): Promise<{ digest: string; size: number }> {
    const digest = sha256(bytes);
    await writeFile(join(this.#dir, hexOf(digest)), bytes);
    return { digest, size: bytes.length };
  }

  /** 'top' is the layout's own image; any other name is a list child, also given its own sub-layout
   * `<name>/` so a single child can be pushed on its own. */
  async addRef(name: string, descriptor: Descriptor): Promise<string> {
    const bytes = await readFile(join(this.#dir, hexOf(descriptor.digest)));
    if (name === 'top') {
      await writeFile(join(this.#dir, 'manifest.json'), bytes);
      return `dir:${DIR_PLACEHOLDER}`;
    }
    await writeFile(join(this.#dir, `${hexOf(descriptor.digest)}.manifest.json`), bytes);
    const sub = join(this.#dir, name);
    await mkdir(sub);
    await writeFile(join(sub, 'version'), VERSION);
    await writeFile(join(sub, 'manifest.json'), bytes);
    const manifest = JSON.parse(bytes.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const { digest } of [manifest.config, ...manifest.layers]) {
      await linkOrCopy(join(this.#dir, hexOf(digest)), join(sub, hexOf(digest)));
    }
    return `dir:${DIR_PLACEHOLDER}/${name}`;
  }

  async finish(): Promise<void> {
    // Nothing to write at the end: each image's directory is complete once added.
  }
}
