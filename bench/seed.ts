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
 * then `concurrency` skopeo pushes run at once.
 */
export async function seedSource(images: readonly CorpusImage[], source: TestRegistry, concurrency: number, log: (line: string) => void): Promise<SeededImage[]> {
  let built = 0;
  for (const image of images) {
    await buildImage(image.spec);
    if (++built % 25 === 0 || built === images.length) log(`built ${built}/${images.length} images`);
  }
  let pushed = 0;
  return mapPool(images, concurrency, async (image) => {
    const result = await pushWithRetry(image, source, log);
    if (++pushed % 25 === 0 || pushed === images.length) log(`pushed ${pushed}/${images.length} images`);
    return { ...image, built: result };
  });
}

/**
 * skopeo pushes racing on the same new blob into one registry occasionally fail (the registry
 * answers one of them with an error); the blob is there a moment later, so trying again suffices.
 */
async function pushWithRetry(image: CorpusImage, source: TestRegistry, log: (line: string) => void): Promise<BuiltImage> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pushImage(image.spec, source, `${image.repo}:${image.tag}`);
    } catch (error) {
      if (attempt >= 3) throw error;
      const reason = (error instanceof Error ? error.message : String(error)).split('\n').filter((l) => !l.includes('level=info')).join(' ').slice(0, 300);
      log(`push of ${image.repo}:${image.tag} failed (attempt ${attempt}), trying again: ${reason}`);
    }
  }
}

/** Every blob of these images once (configs and layers; manifests are not blobs). */
export function uniqueBlobs(images: readonly SeededImage[]): CorpusBlob[] {
  const byDigest = new Map<string, CorpusBlob>();
  for (const image of images) {
    for (const blob of image.built.blobs) if (!byDigest.has(blob.digest)) byDigest.set(blob.digest, { ...blob, repo: image.repo });
  }
  return [...byDigest.values()];
}

export function totalBytes(blobs: readonly { size: number }[]): number {
  return blobs.reduce((sum, b) => sum + b.size, 0);
}
