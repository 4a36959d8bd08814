import type { CopyTask } from '../copy/index.js';
import type { LoadEventListener } from './events.js';
import type { ImageOutcome } from './run-outcome.js';

export interface RetryPassOptions {
  registry: string;
  /** Passes at most (a registry's `retries`). */
  passes: number;
  /** Every image of the registry, after its first try, in the order they were tried. */
  images: ImageOutcome[];
  tasks: ReadonlyMap<string, CopyTask>;
  /** Copies (or plans) one task again; a limiter is the caller's. */
  attempt: (task: CopyTask) => Promise<ImageOutcome>;
  emit: LoadEventListener;
  /** A stop or an abort: no pass starts after it. */
  stopped: () => boolean;
}

/** The key of an image in `tasks`: a target tag is one image of a run. */
export const taskKey = (image: { source: string; target: string }): string => `${image.source} -> ${image.target}`;

/**
 * image-syncer's retries: once every image has been tried, the failed ones are tried again, all of
 * a pass at once, up to `passes` times (a failure that lasts a few seconds, a rate limit, is over
 * by then). Each retried image's outcome replaces its earlier one and says how many passes it took
 * part in; a cancelled image is not retried. Returns the images, outcomes updated.
 */
export async function runRetryPasses(options: RetryPassOptions): Promise<ImageOutcome[]> {
  let images = options.images;
  for (let pass = 1; pass <= options.passes; pass++) {
    const failed = images.filter((image) => image.status === 'failed');
    if (failed.length === 0 || options.stopped()) break;
    options.emit({
      type: 'image-retry-pass',
      registry: options.registry,
      pass,
      passes: options.passes,
      images: failed.map(({ source, target }) => ({ source, target })),
      time: Date.now(),
    });
    const retried = new Map<string, ImageOutcome>();
    await Promise.all(
      failed.map(async (image) => {
        const task = options.tasks.get(taskKey(image));
        if (task) retried.set(taskKey(image), { ...(await options.attempt(task)), retried: pass });
      }),
    );
    images = images.map((image) => retried.get(taskKey(image)) ?? image);
  }
  return images;
}

/** One line for the log: which images needed a retry and which still failed after them. */
export function retrySummary(registry: string, images: readonly ImageOutcome[], passes: number): string | undefined {
  const retried = images.filter((image) => image.retried !== undefined);
  if (retried.length === 0) return undefined;
  const names = (list: readonly ImageOutcome[]) => list.map((image) => image.target).join(', ');
  const recovered = retried.filter((image) => image.status !== 'failed');
  const still = retried.filter((image) => image.status === 'failed');
  const parts = [`${retried.length} image${retried.length === 1 ? '' : 's'} needed a retry (retries: ${passes})`];
  if (recovered.length > 0) parts.push(`${recovered.length} then succeeded: ${names(recovered)}`);
  if (still.length > 0) parts.push(`${still.length} still failed: ${names(still)}`);
  return `${registry}: ${parts.join('; ')}`;
}
