import type { ImageSpec, IndexSpec } from './index.js';

/** Small images for the harness self-tests (kept apart from the e2e suites' fixtures). */
const KiB = 1024;
const base = { seed: 'harness-base', size: 256 * KiB };

const image = (format: 'oci' | 'docker', architecture: string, variant?: string): ImageSpec => ({
  kind: 'image',
  format,
  layers: [base, { seed: `harness-${format}-${architecture}`, size: 32 * KiB }, { seed: 'empty', size: 0 }],
  platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
});

export const ociImage = image('oci', 'amd64');
export const dockerImage = image('docker', 'amd64');
export const ociIndex: IndexSpec = { kind: 'index', format: 'oci', images: [image('oci', 'amd64'), image('oci', 'arm64', 'v8')] };
export const dockerList: IndexSpec = { kind: 'index', format: 'docker', images: [image('docker', 'amd64'), image('docker', 'arm', 'v7')] };
