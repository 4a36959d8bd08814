import { startFaultProxy, type FaultProxy, type TestRegistry } from '../test/harness/index.js';
import { runPictureBookLoad, writePictureBookConfig } from './picture-book-run.js';
import { countRequests, type CountedRun } from './request-count.js';
import { runSkopeoSync, SkopeoHome, writeSkopeoSource } from './skopeo-run.js';
import type { Measured } from './timed-process.js';
import { wipeRegistry } from './target-reset.js';

export interface CountedPassInput {
  work: string;
  source: TestRegistry;
  target: TestRegistry;
  images: readonly string[];
  concurrency?: { images?: number | undefined; blobs?: number | undefined } | undefined;
  timeoutMs: number;
}

type Tool = (sourceHost: string, targetHost: string) => Promise<{ full: () => Promise<Measured>; again: () => Promise<Measured> }>;

/**
 * A full mirror and a no-change re-run with counting proxies in front of both registries, so every
 * request each tool sends is recorded (method and path). The proxies cost time, so these runs give
 * request counts only, never timings for the table.
 */
async function counted(input: CountedPassInput, tool: Tool): Promise<{ full: CountedRun; noChange: CountedRun }> {
  await wipeRegistry(input.target);
  // Proxies start after the wipe: their keep-alive connections must reach the restarted registry.
  const proxies: FaultProxy[] = await Promise.all([startFaultProxy(input.source), startFaultProxy(input.target)]);
  const [src, dst] = proxies as [FaultProxy, FaultProxy];
  try {
    const run = await tool(src.host, dst.host);
    const once = async (go: () => Promise<Measured>): Promise<CountedRun> => {
      src.clearRequests();
      dst.clearRequests();
      const measured = await go();
      return { wallMs: Math.round(measured.wallMs), source: countRequests(src.requests), target: countRequests(dst.requests) };
    };
    const full = await once(run.full);
    const noChange = await once(run.again);
    return { full, noChange };
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
  }
}

export interface CountedPasses {
  pictureBook: { full: CountedRun; noChange: CountedRun };
  skopeo: { full: CountedRun; noChange: CountedRun };
  /** picture-book with `referrers: false` (no signatures, as skopeo sync); absent from older result files. */
  pictureBookNoReferrers?: { full: CountedRun; noChange: CountedRun };
}

export async function countedPass(input: CountedPassInput): Promise<CountedPasses> {
  const pictureBookWith = (name: string, referrers?: false) =>
    counted(input, async (sourceHost, targetHost) => {
      const config = await writePictureBookConfig(input.work, name, {
        sourceHost,
        targetHost,
        images: input.images,
        concurrency: input.concurrency,
        referrers,
      });
      const go = () => runPictureBookLoad(config, input.timeoutMs);
      return { full: go, again: go };
    });
  const pictureBook = await pictureBookWith('pb-counted');
  const pictureBookNoReferrers = await pictureBookWith('pb-counted-no-referrers', false);
  const skopeo = await counted(input, async (sourceHost, targetHost) => {
    const home = await SkopeoHome.create(input.work, 'skopeo-counted');
    const file = await writeSkopeoSource(home.dir, 'source', { sourceHost, targetHost, images: input.images });
    const go = () => runSkopeoSync(home, file, targetHost, input.timeoutMs);
    return { full: go, again: go };
  });
  return { pictureBook, skopeo, pictureBookNoReferrers };
}
