import { startRegistry } from '../test/harness/index.js';
import { corpus } from './corpus.js';
import type { MachineInfo } from './machine.js';
import { describeSample, measureMirror } from './measured-mirror.js';
import type { BenchOptions } from './options.js';
import { runPictureBookLoad, writePictureBookConfig } from './picture-book-run.js';
import { writeResultsFile } from './results-file.js';
import { seedSource, totalBytes, uniqueBlobs } from './seed.js';
import { interleave, Series } from './series.js';
import { median } from './stats.js';
import { fixed, formatTable } from './table.js';

/**
 * `--scaling-only`: the scaling run's Nx row alone (the corpus times `--scale`, without its large
 * image), on registries of its own, seeded with that corpus only. With `--baseline-cli FILE` the
 * same row also runs another build's CLI, interleaved round by round, so that two builds can be
 * compared on a machine whose load changes between runs.
 */
export async function scalingOnly(options: BenchOptions, machine: MachineInfo, work: string, log: (line: string) => void): Promise<void> {
  const [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  try {
    const images = corpus(options.repos * options.scale, options.tags, options.largeMb).filter((i) => !i.large);
    log(`seeding the source ${source.host} with ${images.length} images (skopeo, ${options.seedConcurrency} at once)`);
    const seeded = await seedSource(images, source, options.seedConcurrency, log);
    const paths = images.map((i) => `${i.repo}:${i.tag}`);
    const config = await writePictureBookConfig(work, 'pb-scaling', {
      sourceHost: source.host,
      targetHost: target.host,
      images: paths,
      concurrency: { images: options.pbImages, blobs: options.pbBlobs },
    });
    const timeoutMs = options.timeoutS * 1000;
    const builds = [
      { name: 'this build', cli: undefined, series: new Series(`picture-book ${options.scale}x`) },
      ...(options.baselineCli ? [{ name: 'baseline', cli: options.baselineCli, series: new Series(`baseline ${options.scale}x`) }] : []),
    ];
    await interleave(
      options.rounds,
      builds.map((build) => ({
        name: build.name,
        run: async () => {
          const s = await measureMirror(target, paths, build.series.label, build.series, () =>
            runPictureBookLoad(config, timeoutMs, [], build.cli),
          );
          log(`  ${build.name}: ${describeSample(s)}, load ${s.load1}`);
        },
      })),
      log,
    );
    const bytes = totalBytes(uniqueBlobs(seeded));
    const MiB = 1024;
    const rows = builds.map(({ name, cli, series }) => {
      const rss = series.samples.map((s) => s.peakRssKiB);
      return [
        `scaling ${options.scale}x (${images.length} img)`,
        cli ? `${name} (${cli})` : name,
        fixed(series.medianS, 2),
        fixed(bytes / 1e6 / series.medianS, 0),
        fixed((median(rss) * MiB) / 1e6, 1),
        fixed(series.maxRssMB, 1),
        series.samples.map((s) => fixed((s.peakRssKiB * MiB) / 1e6, 1)).join(' '),
        series.samples.map((s) => fixed(s.load1, 1)).join(' '),
      ];
    });
    const text = [
      `machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB RAM, Node ${machine.node}`,
      `corpus: ${images.length} images, ${uniqueBlobs(seeded).length} unique blobs, ${fixed(bytes / 1e6, 0)} MB; ${options.rounds} interleaved rounds; MB = 10^6 bytes`,
      '',
      formatTable(['run', 'build', 'wall s', 'MB/s', 'median peak RSS MB', 'max peak RSS MB', 'each run MB', 'load after each'], rows),
    ].join('\n');
    process.stdout.write(`\n${text}\n`);
    const results = { date: new Date().toISOString(), machine, options: { ...options }, scaling: builds.map((b) => b.series) };
    log(`figures written to ${await writeResultsFile(options.scalingOut, results, undefined, text)}`);
  } finally {
    await Promise.all([source.stop(), target.stop()]);
  }
}
