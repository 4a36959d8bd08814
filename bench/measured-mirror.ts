import type { TestRegistry } from '../test/harness/index.js';
import type { Sample, Series } from './series.js';
import { assertMirrored } from './target-check.js';
import type { Measured } from './timed-process.js';
import { wipeRegistry } from './target-reset.js';

/**
 * One measured mirror into an emptied target. It joins `series` only once the target holds
 * exactly the expected tags, so a tool that silently skipped images cannot look fast.
 */
export async function measureMirror(
  target: TestRegistry,
  expected: readonly string[],
  who: string,
  series: Series,
  go: () => Promise<Measured>,
): Promise<Sample> {
  await wipeRegistry(target);
  const measured = await go();
  await assertMirrored(target.url, expected, who);
  return series.add(measured);
}

/** `1.23 s, peak RSS 130 MiB`, for the progress log. */
export function describeSample(sample: Sample): string {
  return `${(sample.wallMs / 1000).toFixed(2)} s, peak RSS ${(sample.peakRssKiB / 1024).toFixed(0)} MiB`;
}
