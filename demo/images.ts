import type { ImageSpec, IndexSpec } from '../test/harness/index.js';

const MiB = 1024 * 1024;
const base = { seed: 'demo-base-os', size: 8 * MiB };
const runtime = { seed: 'demo-runtime', size: 12 * MiB };

function image(format: 'oci' | 'docker', layers: ImageSpec['layers'], architecture = 'amd64', variant?: string): ImageSpec {
  return { kind: 'image', format, layers, platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) } };
}

/** What the demo source registry holds: generated images, one multi-platform, layers shared. */
export const DEMO_IMAGES: Array<{ path: string; spec: ImageSpec | IndexSpec }> = [
  { path: 'library/alpine-demo:3.20', spec: image('oci', [base]) },
  {
    path: 'library/nginx-demo:1.27',
    spec: {
      kind: 'index',
      format: 'oci',
      images: [
        image('oci', [base, { seed: 'demo-nginx-amd64', size: 6 * MiB }]),
        image('oci', [base, { seed: 'demo-nginx-arm64', size: 6 * MiB }], 'arm64', 'v8'),
      ],
    },
  },
  { path: 'team/api:v2', spec: image('docker', [base, runtime, { seed: 'demo-api', size: 3 * MiB }]) },
  { path: 'team/api:v2.1', spec: image('docker', [base, runtime, { seed: 'demo-api-2.1', size: 1 * MiB }]) },
  { path: 'team/api:v2.2-rc.1', spec: image('docker', [base, runtime, { seed: 'demo-api-2.2-rc.1', size: 1 * MiB }]) },
  { path: 'team/worker:v2', spec: image('docker', [base, runtime, { seed: 'demo-worker', size: 2 * MiB }]) },
  {
    path: 'team/reports:2026.11',
    spec: image('oci', [base, runtime, { seed: 'demo-reports', size: 24 * MiB }, { seed: 'empty', size: 0 }]),
  },
];

/** Mirrored by a repository rule in the demo's config (every tag but release candidates), not listed by its syncer script. */
export const DEMO_RULE_REPOSITORY = 'team/api';
