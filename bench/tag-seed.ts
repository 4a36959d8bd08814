import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Pool } from 'undici';
import { buildLayer, type BuiltLayer, type LayerSpec } from '../test/harness/layer.js';
import { mapPool } from './pool.js';

/**
 * Seeds registries with many tags fast, over plain HTTP, without skopeo: a handful of layers pushed
 * once per repository (or mounted from the first), then one small manifest per tag, each with its
 * own config blob, so every tag is a distinct image (its own digest) that shares its layers with the
 * others, as the tags of a real repository do. Two thousand skopeo pushes would take many minutes;
 * this takes a few requests per tag. Requests into one repository go one at a time (distribution
 * 2.8 answers 500 when two pushes write one repository at once); repositories go in parallel.
 */

export interface TagSeedLayers {
  /** In every image of every repository. */
  shared: LayerSpec[];
  /** Each image gets one of these too, in turn: groups of tags that share one more layer. */
  grouped: LayerSpec[];
}

export const MANY_TAGS_LAYERS: TagSeedLayers = {
  shared: [
    { seed: 'bench-many-base', size: 2 * 1024 * 1024 },
    { seed: 'bench-many-runtime', size: 512 * 1024 },
  ],
  grouped: Array.from({ length: 8 }, (_, i) => ({ seed: `bench-many-app-${i}`, size: 64 * 1024 * (1 + i) })),
};

const DOCKER = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};
const OCI = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

/** Semantic-version-like tags: `1.0.0`, `1.0.1`, ... `1.0.49`, `1.1.0`, ...: what a filter would see. */
export function seedTagName(i: number): string {
  return `1.${Math.floor(i / 50)}.${i % 50}`;
}

const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** One HTTP client per registry, keep-alive, a connection per repository being seeded. */
export class TagSeeder {
  #pool: Pool;
  #layers: Promise<{ shared: BuiltLayer[]; grouped: BuiltLayer[] }>;

  constructor(
    readonly registryUrl: string,
    layers: TagSeedLayers = MANY_TAGS_LAYERS,
    connections = 8,
  ) {
    this.#pool = new Pool(registryUrl, { connections });
    this.#layers = (async () => ({
      shared: await Promise.all(layers.shared.map(buildLayer)),
      grouped: await Promise.all(layers.grouped.map(buildLayer)),
    }))();
  }

  async #send(method: string, path: string, expect: number, body?: Buffer, contentType?: string): Promise<Record<string, unknown>> {
    const response = await this.#pool.request({
      method,
      path,
      ...(body ? { body, headers: { 'content-type': contentType ?? 'application/octet-stream' } } : {}),
    });
    const text = await response.body.text();
    if (response.statusCode !== expect) throw new Error(`${method} ${path}: ${response.statusCode} ${text.slice(0, 300)}`);
    return response.headers;
  }

  /** Uploads a blob (POST, then PUT ?digest= with the bytes), or mounts it from `from` when given. */
  async #blob(repository: string, bytes: Buffer, digest: string, from?: string): Promise<void> {
    if (from !== undefined) {
      // 201: mounted; 202 (not there to mount): an upload session to fill instead.
      const response = await this.#pool.request({ method: 'POST', path: `/v2/${repository}/blobs/uploads/?mount=${digest}&from=${from}` });
      await response.body.dump();
      if (response.statusCode === 201) return;
      if (response.statusCode !== 202) throw new Error(`mount ${digest} into ${repository}: ${response.statusCode}`);
      return this.#put(String(response.headers.location), bytes, digest);
    }
    const headers = await this.#send('POST', `/v2/${repository}/blobs/uploads/`, 202);
    await this.#put(String(headers.location), bytes, digest);
  }

  async #put(location: string, bytes: Buffer, digest: string): Promise<void> {
    const url = new URL(location, this.registryUrl);
    url.searchParams.set('digest', digest);
    await this.#send('PUT', `${url.pathname}${url.search}`, 201, bytes);
  }

  /**
   * Pushes `count` tags (`seedTagName(0..count-1)`) into `repository`, one request at a time: the
   * layers first (mounted from `mountFrom` when it already holds them), then per tag its config
   * blob and its manifest. Returns each tag's manifest digest.
   */
  async seedRepository(
    repository: string,
    count: number,
    options: { mountFrom?: string; onProgress?: (done: number) => void } = {},
  ): Promise<Map<string, string>> {
    const layers = await this.#layers;
    for (const layer of [...layers.shared, ...layers.grouped]) {
      await this.#blob(repository, await readFile(layer.file), layer.digest, options.mountFrom);
    }
    const digests = new Map<string, string>();
    for (let i = 0; i < count; i++) {
      const tag = seedTagName(i);
      const types = i % 2 === 0 ? DOCKER : OCI;
      const image = [...layers.shared, layers.grouped[i % layers.grouped.length] as BuiltLayer];
      const config = Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          created: '2026-01-01T00:00:00Z',
          config: { Labels: { 'org.example.repository': repository, 'org.example.tag': tag } },
          rootfs: { type: 'layers', diff_ids: image.map((l) => l.diffId) },
        }),
      );
      const configDigest = digestOf(config);
      await this.#blob(repository, config, configDigest);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: types.manifest,
          config: { mediaType: types.config, digest: configDigest, size: config.length },
          layers: image.map((l) => ({ mediaType: types.layer, digest: l.digest, size: l.size })),
        }),
      );
      await this.#send('PUT', `/v2/${repository}/manifests/${tag}`, 201, manifest, types.manifest);
      digests.set(tag, digestOf(manifest));
      options.onProgress?.(i + 1);
    }
    return digests;
  }

  /**
   * `repositories` with `tagsEach` tags each: the first pushes the layers, the others mount them;
   * `concurrency` repositories at once, each one request at a time.
   */
  async seedRepositories(repositories: readonly string[], tagsEach: number, concurrency: number): Promise<void> {
    const [first, ...rest] = repositories;
    if (first === undefined) return;
    await this.seedRepository(first, tagsEach);
    await mapPool(rest, concurrency, (name) => this.seedRepository(name, tagsEach, { mountFrom: first }));
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
