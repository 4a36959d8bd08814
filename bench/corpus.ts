import type { ImageSpec, IndexSpec, LayerSpec, Platform } from '../test/harness/index.js';

/**
 * The benchmark corpus: N repositories x T tags of generated images, shaped like a real mirror job.
 * - shared base layers (2 to 32 MiB): one small layer in every image, plus one of three bigger bases;
 * - a per-repository layer (1 to 8 MiB) shared by the tags of that repository;
 * - a per-tag layer (256 KiB to 3 MiB);
 * - even repositories are Docker schema2, odd ones OCI;
 * - repositories 1, 25, 49, ... (OCI) and 6, 30, 54, ... (Docker) hold multi-platform indexes
 *   (amd64 + arm64/v8): two such repositories in the default 25;
 * - one large image: one layer of `largeMb` MiB.
 * Layer contents are deterministic random bytes (harness), so the same corpus has the same digests
 * on every machine and is built once into the fixture cache.
 * The corpus at scale s is the first `repos * s` repositories: the 1x corpus is a prefix of the 4x.
 */
const MiB = 1024 * 1024;
const KiB = 1024;

export interface CorpusImage {
  /** Repository path on the source, e.g. `bench-r007` (one path component: skopeo sync keeps only the last one). */
  repo: string;
  tag: string;
  spec: ImageSpec | IndexSpec;
  /** True for the one large image (the scaling run leaves it out, see main.ts). */
  large: boolean;
}

export const COMMON_BASE: LayerSpec = { seed: 'bench-base-common', size: 2 * MiB };
export const BASES: LayerSpec[] = [
  { seed: 'bench-base-small', size: 6 * MiB },
  { seed: 'bench-base-medium', size: 16 * MiB },
  { seed: 'bench-base-large', size: 32 * MiB },
];

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };

export function repoName(i: number): string {
  return `bench-r${String(i).padStart(3, '0')}`;
}

function repoLayer(i: number, suffix = ''): LayerSpec {
  return { seed: `bench-repo-${i}${suffix}`, size: (1 + ((i * 5) % 8)) * MiB };
}

function tagLayer(i: number, t: number, suffix = ''): LayerSpec {
  return { seed: `bench-tag-${i}-${t}${suffix}`, size: 256 * KiB * (1 + ((i + 3 * t) % 12)) };
}

function imageOf(i: number, t: number): ImageSpec | IndexSpec {
  const format = i % 2 === 0 ? 'docker' : 'oci';
  const base = BASES[i % BASES.length] as LayerSpec;
  if (i % 24 === 1 || i % 24 === 6) {
    const child = (platform: Platform, arch: string): ImageSpec => ({
      kind: 'image',
      format,
      layers: [COMMON_BASE, base, repoLayer(i, arch), tagLayer(i, t, arch)],
      platform,
    });
    return { kind: 'index', format, images: [child(AMD64, '-amd64'), child(ARM64, '-arm64')] };
  }
  return { kind: 'image', format, layers: [COMMON_BASE, base, repoLayer(i), tagLayer(i, t)], platform: AMD64 };
}

export function largeImage(largeMb: number, repo = 'bench-large'): CorpusImage {
  return {
    repo,
    tag: 'v1',
    spec: { kind: 'image', format: 'oci', layers: [COMMON_BASE, { seed: `bench-large-${largeMb}`, size: largeMb * MiB }], platform: AMD64 },
    large: true,
  };
}

/** The corpus for `repos` repositories (already multiplied by the scale) plus the large image. */
export function corpus(repos: number, tags: number, largeMb: number): CorpusImage[] {
  const images: CorpusImage[] = [];
  for (let i = 0; i < repos; i++) {
    for (let t = 0; t < tags; t++) images.push({ repo: repoName(i), tag: `t${t}`, spec: imageOf(i, t), large: false });
  }
  images.push(largeImage(largeMb));
  return images;
}
