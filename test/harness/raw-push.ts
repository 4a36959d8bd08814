import { createHash } from 'node:crypto';
import type { TestRegistry } from './registry.js';

/*
 * Pushes hand-written content to a real registry over plain HTTP (no auth), for what skopeo will not
 * write: manifests whose descriptors disagree with their blobs, which the real registry accepts.
 */

const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function expectStatus(response: Response, statuses: number[], what: string): Promise<void> {
  if (!statuses.includes(response.status)) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

/** Uploads one blob (POST, then PUT ?digest= with the bytes); returns its digest. */
export async function pushRawBlob(registry: Pick<TestRegistry, 'url'>, repository: string, bytes: Buffer): Promise<string> {
  const digest = digestOf(bytes);
  const started = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(started, [202], `POST upload to ${repository}`);
  const location = new URL(started.headers.get('location') ?? '', registry.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  await expectStatus(put, [201], `PUT blob ${digest} to ${repository}`);
  return digest;
}

/** PUTs manifest bytes as they are; returns their digest. */
export async function pushRawManifest(
  registry: Pick<TestRegistry, 'url'>,
  repository: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
): Promise<string> {
  const put = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body: bytes,
  });
  await expectStatus(put, [201], `PUT manifest ${repository}:${reference}`);
  return digestOf(bytes);
}

export interface RawImage {
  digest: string;
  configDigest: string;
  configSize: number;
}

/**
 * An OCI image of one config and one layer whose manifest declares `configSize` (default: the
 * config's real size) for its config: the real registry stores it without checking.
 */
export async function pushRawImage(
  registry: Pick<TestRegistry, 'url'>,
  repoAndTag: string,
  options: { seed: string; configSize?: (real: number) => number },
): Promise<RawImage> {
  const [repository = '', tag = 'latest'] = repoAndTag.split(':');
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Labels: { seed: options.seed } },
    }),
  );
  const layer = Buffer.from(`layer bytes of ${options.seed}\n`.repeat(64));
  const configDigest = await pushRawBlob(registry, repository, config);
  const layerDigest = await pushRawBlob(registry, repository, layer);
  const configSize = options.configSize?.(config.length) ?? config.length;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configSize },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    }),
  );
  const digest = await pushRawManifest(registry, repository, tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
  return { digest, configDigest, configSize };
}
