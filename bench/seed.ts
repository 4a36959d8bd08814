import { buildImage, pushImage, type BuiltImage, type TestRegistry } from '../test/harness/index.js';
import type { CorpusImage } from './corpus.js';
import { mapPool } from './pool.js';

export interface SeededImage extends CorpusImage {
  built: BuiltImage;
}

/** One unique blob of a corpus and a source repository that holds it. */
export interface CorpusBlob {
  digest: string;
  size: number;
  repo: string;
}

/**
 * Builds the images (cached on disk by the harness) and pushes them to the source with skopeo.
 * Layers are built one image at a time first, so parallel pushes never race to build the same layer;
 * then `concurrency` skopeo pushes run at once. The harness never pushes into one repository twice at
 * once (distribution 2.8 answers 500 when two pushes write its links together), so the pushes go
 * round the repositories (every repository's first tag, then every second tag, ...): a worker rarely
 * waits on another's repository.
 */
export async function seedSource(
  images: readonly CorpusImage[],
  source: TestRegistry,
  concurrency: number,
  log: (line: string) => void,
): Promise<SeededImage[]> {
  let built = 0;
  for (const image of images) {
    await buildImage(image.spec);
    if (++built % 25 === 0 || built === images.length) log(`built ${built}/${images.length} images`);
  }
  let pushed = 0;
  const seeded = new Array<SeededImage>(images.length);
  await mapPool(roundRobinByRepository(images), concurrency, async (index) => {
    const image = images[index] as CorpusImage;
    seeded[index] = { ...image, built: await pushImage(image.spec, source, `${image.repo}:${image.tag}`) };
    if (++pushed % 25 === 0 || pushed === images.length) log(`pushed ${pushed}/${images.length} images`);
  });
  return seeded;
}

/** Indexes of `images`, the n-th image of each repository before any repository's (n+1)-th. */
function roundRobinByRepository(images: readonly CorpusImage[]): number[] {
  const seen = new Map<string, number>();
  const rank = images.map((image) => {
    const n = seen.get(image.repo) ?? 0;
    seen.set(image.repo, n + 1);
    return n;
  });
  return images.map((_, i) => i).sort((a, b) => (rank[a] as number) - (rank[b] as number) || a - b);
}

/** Every blob of these images once (configs and layers; manifests are not blobs). */
export function uniqueBlobs(images: readonly SeededImage[]): CorpusBlob[] {
  const byDigest = new Map<string, CorpusBlob>();
  for (const image of images) {
    for (const blob of image.built.blobs) if (!byDigest.has(blob.digest)) byDigest.set(blob.digest, { ...blob, repo: image.repo });
  }
  return [...byDigest.values()];
}

export function totalBytes(blobs: ReadonlyArray<{ size: number }>): number {
  return blobs.reduce((sum, b) => sum + b.size, 0);
}
