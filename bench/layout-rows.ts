import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy, type TestRegistry } from '../test/harness/index.js';
import { formatLayoutResults, layoutTargets, type LayoutResults } from './layout-report.js';
import { assertLayoutHolds, emptyLayoutDir, pictureBookExport, skopeoExport, writeLayoutConfig } from './layout-runs.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { countRequests } from './request-count.js';
import { writeResultsFile } from './results-file.js';
import { interleave, Series } from './series.js';
import { SkopeoHome } from './skopeo-run.js';

export interface LayoutInput {
  options: BenchOptions;
  machine: MachineInfo;
  work: string;
  /** The seeded source registry and the corpus on it (`repo:tag` paths). */
  source: TestRegistry;
  images: readonly string[];
  corpus: { blobs: number; bytes: number };
  timeoutMs: number;
  log: (line: string) => void;
}

/**
 * The air-gap rows: the corpus exported to an OCI layout directory by `picture-book load` (a
 * registry entry whose hostname is `oci:DIR`) and by `skopeo copy --all docker://... oci:DIR:...`
 * per image, one after another (skopeo's `sync` cannot write a layout); then each again into the
 * layout it wrote, with nothing to do; then picture-book once more through a counting proxy in
 * front of the source, to show that the no-change re-export reads no blob. Figures in their own file.
 */
export async function layoutSection(input: LayoutInput): Promise<LayoutResults> {
  const { options, work, source, images, timeoutMs, log } = input;
  const results: LayoutResults = {
    date: new Date().toISOString(),
    machine: input.machine,
    options: { ...options },
    corpus: { images: images.length, ...input.corpus },
    loadBefore: loadavg()[0] ?? 0,
    export: { pictureBook: new Series('picture-book layout export'), skopeo: new Series('skopeo layout export') },
    noChange: { pictureBook: new Series('picture-book layout no-change'), skopeo: new Series('skopeo layout no-change') },
  };
  const pbLayout = join(work, 'layout-pb');
  const skopeoLayout = join(work, 'layout-skopeo');
  const pbConfig = await writeLayoutConfig(work, 'pb-layout', source.host, pbLayout, images);
  log(`layout rows: ${images.length} images to oci: directories under ${work}`);
  await interleave(
    options.rounds,
    [
      {
        name: 'picture-book',
        run: async () => {
          await emptyLayoutDir(pbLayout);
          const full = results.export.pictureBook.add(await pictureBookExport(pbConfig, timeoutMs));
          await assertLayoutHolds(pbLayout, images, 'picture-book');
          const again = results.noChange.pictureBook.add(await pictureBookExport(pbConfig, timeoutMs));
          log(
            `  picture-book: export ${(full.wallMs / 1000).toFixed(2)} s (${(full.peakRssKiB / 1024).toFixed(0)} MiB), no-change ${(again.wallMs / 1000).toFixed(2)} s`,
          );
        },
      },
      {
        name: 'skopeo',
        run: async (round) => {
          const home = await SkopeoHome.create(work, `skopeo-layout-${round}`);
          await emptyLayoutDir(skopeoLayout);
          const full = results.export.skopeo.add(await skopeoExport(home, source.host, skopeoLayout, images, timeoutMs));
          await assertLayoutHolds(skopeoLayout, images, 'skopeo');
          const again = results.noChange.skopeo.add(await skopeoExport(home, source.host, skopeoLayout, images, timeoutMs));
          log(
            `  skopeo: export ${(full.wallMs / 1000).toFixed(2)} s (${(full.peakRssKiB / 1024).toFixed(0)} MiB), no-change ${(again.wallMs / 1000).toFixed(2)} s`,
          );
        },
      },
    ],
    log,
  );

  log('layout rows: counting source requests of one more export and its no-change re-export');
  const proxy = await startFaultProxy(source);
  try {
    const config = await writeLayoutConfig(work, 'pb-layout-counted', proxy.host, pbLayout, images);
    await emptyLayoutDir(pbLayout);
    proxy.clearRequests();
    await pictureBookExport(config, timeoutMs);
    const exported = countRequests(proxy.requests);
    proxy.clearRequests();
    await pictureBookExport(config, timeoutMs);
    results.requests = { export: exported, noChange: countRequests(proxy.requests) };
  } finally {
    await proxy.close();
  }
  const text = formatLayoutResults(results);
  process.stdout.write(`\n${text}\n`);
  log(`layout figures written to ${await writeResultsFile(options.layoutOut, results, layoutTargets(results), text)}`);
  return results;
}
