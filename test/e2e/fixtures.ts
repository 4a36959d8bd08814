import type { ImageSpec, IndexSpec } from '../harness/index.js';

/** Test images shared by the end-to-end suites. Layers with the same seed are the same blob. */
const MiB = 1024 * 1024;

export const baseLayer = { seed: 'base-os', size: 3 * MiB };
export const emptyLayer = { seed: 'empty', size: 0 };

export const ociImage: ImageSpec = {
  kind: 'image',
  format: 'oci',
  layers: [baseLayer, { seed: 'oci-app', size: 512 * 1024 }, emptyLayer],
  platform: { os: 'linux', architecture: 'amd64' },
};

export const dockerImage: ImageSpec = {
  kind: 'image',
  format: 'docker',
  layers: [baseLayer, { seed: 'docker-app', size: 256 * 1024 }],
  platform: { os: 'linux', architecture: 'amd64' },
};

function platformImage(format: 'oci' | 'docker', architecture: string, variant?: string): ImageSpec {
  return {
    kind: 'image',
    format,
    layers: [baseLayer, { seed: `${format}-${architecture}${variant ?? ''}`, size: 128 * 1024 }],
    platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
  };
}

export const ociIndex: IndexSpec = {
  kind: 'index',
  format: 'oci',
  images: [platformImage('oci', 'amd64'), platformImage('oci', 'arm64', 'v8'), platformImage('oci', 'arm', 'v7')],
};

export const dockerList: IndexSpec = {
  kind: 'index',
  format: 'docker',
  images: [platformImage('docker', 'amd64'), platformImage('docker', 'arm64', 'v8')],
};

/** An image with one layer over 100 MB, to prove streaming of large blobs. */
export const largeImage: ImageSpec = {
  kind: 'image',
  format: 'oci',
  layers: [
    { seed: 'large', size: 110 * MiB },
    { seed: 'large-top', size: 64 * 1024 },
  ],
  platform: { os: 'linux', architecture: 'amd64' },
};
