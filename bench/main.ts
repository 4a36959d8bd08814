import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeTempDir } from '../test/harness/procs.js';
import { startRegistry, type TestRegistry } from '../test/harness/index.js';
import { corpus, largeImage, type CorpusImage } from './corpus.js';
import { formatProfile, newestProfile, summarizeProfile } from './cpu-profile.js';
import { runFloorProcess } from './floor-run.js';
import { manySection } from './many-rows.js';
import { describeMachine, machineInfo } from './machine.js';
import { parseOptions, type BenchOptions } from './options.js';
import { runPictureBookLoad, writePictureBookConfig } from './picture-book-run.js';
import { describeSample, measureMirror } from './measured-mirror.js';
import { formatResults, targets, type BenchResults } from './report.js';
import { countedPass } from './counted-pass.js';
import { writeResultsFile } from './results-file.js';
import { seedSource, totalBytes, uniqueBlobs, type SeededImage } from './seed.js';
import { interleave, Series } from './series.js';
import { runSkopeoSync, SkopeoHome, writeSkopeoSource } from './skopeo-run.js';
import { wipeRegistry } from './target-reset.js';
import { apiLoadSection, formatApiLoad } from './api-load-section.js';
import { layoutSection } from './layout-rows.js';
import { queueRow } from './queue-row.js';
import { scalingOnly } from './scaling-only.js';

/**
 * `npm run bench`: picture-book against `skopeo sync` and a raw floor on two local registries, then
 * the many-tags and many-repositories rows (many-rows.ts) on registries of their own.
 * See options.ts for the flags and the README for what each figure means.
 */
const began = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
};

const paths = (images: readonly CorpusImage[]): string[] => images.map((i) => `${i.repo}:${i.tag}`);

async function main(options: BenchOptions): Promise<void> {
  const timeoutMs = options.timeoutS * 1000;
  const machine = await machineInfo();
  log(`machine: ${describeMachine(machine)}`);
  if (options.apiOnly) return apiOnly(options, machine);
  const work = await makeTempDir('bench');
  await chmod(work, 0o755); // skopeo runs as nobody and reads its source file from here
  if (options.layoutOnly) return layoutOnly(options, machine, work);
  if (options.scalingOnly) return scalingOnly(options, machine, work, log);
  if (options.queueOnly) return queueRow(options, machine, work, log);
  if (!options.manyOnly) {
    const [source, target] = await Promise.all([startRegistry(), startRegistry()]);
    log(`source registry ${source.host}, target registry ${target.host}, work dir ${work}`);
    try {
      const results = await measure(options, machine, work, source, target, timeoutMs);
      if (options.apiJobs > 0) results.apiLoad = await apiLoadSection(options.apiJobs, options.apiRequests, log);
      const text = [formatResults(results), ...(results.apiLoad ? [formatApiLoad(results.apiLoad)] : [])].join('\n\n');
      process.stdout.write(`\n${text}\n`);
      if (results.profile) process.stdout.write(`\n${formatProfile(results.profile)}\n`);
      log(`figures written to ${await writeResultsFile(options.out, results, targets(results), text)}`);
    } finally {
      await Promise.all([source.stop(), target.stop()]);
    }
  }
  if (options.manyTags > 0 || options.manyRepos > 0) await manySection({ options, machine, work, timeoutMs, log });
  if (options.queueWorkers > 0 && !options.manyOnly) await queueRow(options, machine, work, log);
}

/** `--layout-only`: the air-gap rows alone, on a source registry of their own seeded with the corpus. */
async function layoutOnly(options: BenchOptions, machine: BenchResults['machine'], work: string): Promise<void> {
  const source = await startRegistry();
  try {
    const images = corpus(options.repos, options.tags, options.largeMb);
    log(`seeding the source ${source.host} with ${images.length} images (skopeo, ${options.seedConcurrency} at once)`);
    const blobs = uniqueBlobs(await seedSource(images, source, options.seedConcurrency, log));
    const timeoutMs = options.timeoutS * 1000;
    const counts = { blobs: blobs.length, bytes: totalBytes(blobs) };
    await layoutSection({ options, machine, work, source, images: paths(images), corpus: counts, timeoutMs, log });
  } finally {
    await source.stop();
  }
}

/** `--api-only`: the API-under-load section alone, with its own registries. */
async function apiOnly(options: BenchOptions, machine: BenchResults['machine']): Promise<void> {
  const apiLoad = await apiLoadSection(options.apiJobs, options.apiRequests, log);
  const text = formatApiLoad(apiLoad);
  process.stdout.write(`\n${text}\n`);
  const results = { date: new Date().toISOString(), machine, options: { ...options }, apiLoad };
  log(`figures written to ${await writeResultsFile(options.out, results, undefined, text)}`);
}

async function measure(
  options: BenchOptions,
  machine: BenchResults['machine'],
  work: string,
  source: TestRegistry,
  target: TestRegistry,
  timeoutMs: number,
): Promise<BenchResults> {
  // 1. Corpus and seeding (the 1x corpus is a prefix of the scaled one).
  const images = corpus(options.repos, options.tags, options.largeMb);
  log(`seeding the source with ${images.length} images (skopeo, ${options.seedConcurrency} at once)`);
  const seeded = await seedSource(images, source, options.seedConcurrency, log);
  const blobs = uniqueBlobs(seeded);
  const bytes = totalBytes(blobs);
  const imagePaths = paths(images);
  log(`corpus: ${images.length} images, ${blobs.length} unique blobs, ${(bytes / 1e6).toFixed(0)} MB`);

  // picture-book with `referrers: false` (no signatures looked for), beside the default: skopeo sync copies none.
  const bare = { full: new Series('picture-book referrers: false full'), noChange: new Series('picture-book referrers: false no-change') };
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine,
    options: { ...options },
    corpus: {
      images: images.length,
      repositories: new Set(images.map((i) => i.repo)).size,
      indexes: images.filter((i) => i.spec.kind === 'index').length,
      blobs: blobs.length,
      bytes,
      largeLayerMiB: options.largeMb,
    },
    full: {
      pictureBook: new Series('picture-book full'),
      pictureBookNoReferrers: bare.full,
      skopeo: new Series('skopeo full'),
      floor: new Series('raw floor'),
    },
    noChange: {
      pictureBook: new Series('picture-book no-change'),
      pictureBookNoReferrers: bare.noChange,
      skopeo: new Series('skopeo no-change'),
    },
  };

  // 2. Full mirror + no-change re-run, both tools, and the raw floor: interleaved rounds.
  const concurrency = { images: options.pbImages, blobs: options.pbBlobs };
  const job = { sourceHost: source.host, targetHost: target.host, images: imagePaths, concurrency };
  const pbConfig = await writePictureBookConfig(work, 'pb-full', job);
  // The same without signatures (`referrers: false`): what skopeo sync does, for parity.
  const pbBareConfig = await writePictureBookConfig(work, 'pb-full-no-referrers', { ...job, referrers: false });
  /** A full mirror then a no-change re-run of picture-book with `config`, into the two series. */
  const pictureBookRound = (name: string, config: string, full: Series, noChange: Series) => ({
    name,
    run: async () => {
      const once = await measureMirror(target, imagePaths, name, full, () => runPictureBookLoad(config, timeoutMs));
      const again = noChange.add(await runPictureBookLoad(config, timeoutMs));
      log(
        `  ${name}: full ${(once.wallMs / 1000).toFixed(2)} s (${(once.peakRssKiB / 1024).toFixed(0)} MiB), no-change ${(again.wallMs / 1000).toFixed(2)} s`,
      );
    },
  });
  const floorPlan = { sourceUrl: source.url, targetUrl: target.url, concurrency: options.floorConcurrency, blobs };
  await interleave(
    options.rounds,
    [
      pictureBookRound('picture-book', pbConfig, results.full.pictureBook, results.noChange.pictureBook),
      pictureBookRound('picture-book referrers: false', pbBareConfig, bare.full, bare.noChange),
      {
        name: 'skopeo',
        run: async (round) => {
          const home = await SkopeoHome.create(work, `skopeo-home-${round}`);
          const file = await writeSkopeoSource(home.dir, 'source', {
            sourceHost: source.host,
            targetHost: target.host,
            images: imagePaths,
          });
          const full = await measureMirror(target, imagePaths, 'skopeo', results.full.skopeo, () =>
            runSkopeoSync(home, file, target.host, timeoutMs),
          );
          const again = results.noChange.skopeo.add(await runSkopeoSync(home, file, target.host, timeoutMs));
          log(
            `  skopeo: full ${(full.wallMs / 1000).toFixed(2)} s (${(full.peakRssKiB / 1024).toFixed(0)} MiB), no-change ${(again.wallMs / 1000).toFixed(2)} s`,
          );
        },
      },
      {
        name: 'floor',
        run: async () => {
          await wipeRegistry(target);
          const floor = results.full.floor.add(await runFloorProcess(work, floorPlan, timeoutMs));
          log(`  raw floor: ${(floor.wallMs / 1000).toFixed(2)} s`);
        },
      },
    ],
    log,
  );

  // 3. Counted requests: one more full + no-change pass per tool through counting proxies.
  log('counting requests through proxies');
  results.requests = await countedPass({ work, source, target, images: imagePaths, concurrency, timeoutMs });

  // 3b. The air-gap rows: the corpus exported to an OCI layout (figures in their own file).
  await layoutSection({ options, machine, work, source, images: imagePaths, corpus: { blobs: blobs.length, bytes }, timeoutMs, log });

  // 4. CPU profile of picture-book's full mirror (optional: it slows the run it profiles).
  if (options.profile) {
    const dir = join(resolve('.bench'), 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
    await mkdir(dir, { recursive: true });
    await wipeRegistry(target);
    const profiled = await runPictureBookLoad(pbConfig, timeoutMs, ['--cpu-prof', '--cpu-prof-dir', dir]);
    const { file, profile } = await newestProfile(dir);
    results.profile = summarizeProfile(profile, file);
    log(`profiled full mirror: ${(profiled.wallMs / 1000).toFixed(2)} s, profile in ${file}`);
  }

  // 5. Peak RSS with one big layer (1 GiB by default): picture-book and skopeo, interleaved.
  if (options.rssLayerMb > 0) {
    const big = largeImage(options.rssLayerMb, 'bench-big');
    log(`seeding an image with a ${options.rssLayerMb} MiB layer`);
    const [seededBig] = await seedSource([big], source, 1, log);
    const bigBytes = totalBytes(seededBig?.built.blobs ?? []);
    const bigPaths = paths([big]);
    const bigConfig = await writePictureBookConfig(work, 'pb-big', {
      sourceHost: source.host,
      targetHost: target.host,
      images: bigPaths,
      concurrency,
    });
    const bigLayer = {
      layerMiB: options.rssLayerMb,
      bytes: bigBytes,
      pictureBook: new Series('picture-book big layer'),
      skopeo: new Series('skopeo big layer'),
    };
    results.bigLayer = bigLayer;
    await interleave(
      options.rounds,
      [
        {
          name: 'picture-book',
          run: async () => {
            const s = await measureMirror(target, bigPaths, 'picture-book big layer', bigLayer.pictureBook, () =>
              runPictureBookLoad(bigConfig, timeoutMs),
            );
            log(`  picture-book: ${describeSample(s)}`);
          },
        },
        {
          name: 'skopeo',
          run: async (round) => {
            const home = await SkopeoHome.create(work, `skopeo-big-${round}`);
            const file = await writeSkopeoSource(home.dir, 'source', {
              sourceHost: source.host,
              targetHost: target.host,
              images: bigPaths,
            });
            const s = await measureMirror(target, bigPaths, 'skopeo big layer', bigLayer.skopeo, () =>
              runSkopeoSync(home, file, target.host, timeoutMs),
            );
            log(`  skopeo: ${describeSample(s)}`);
          },
        },
      ],
      log,
    );
  }

  // 6. Scaling: the corpus at 1x and Nx images (without the one large image, so that N times the
  //    images is close to N times the bytes; shared base layers stay shared, as they would).
  if (options.scale > 1) {
    const scaled = corpus(options.repos * options.scale, options.tags, options.largeMb).filter((i) => !i.large);
    const small = seeded.filter((i) => !i.large);
    const extra = scaled.slice(small.length);
    log(`seeding ${extra.length} more images for the ${options.scale}x corpus`);
    const seededExtra = await seedSource(extra, source, options.seedConcurrency, log);
    const all: SeededImage[] = [...small, ...seededExtra];
    const config1 = await writePictureBookConfig(work, 'pb-1x', {
      sourceHost: source.host,
      targetHost: target.host,
      images: paths(small),
      concurrency,
    });
    const configN = await writePictureBookConfig(work, 'pb-nx', {
      sourceHost: source.host,
      targetHost: target.host,
      images: paths(all),
      concurrency,
    });
    const scaling = {
      factor: options.scale,
      images1x: small.length,
      images4x: all.length,
      bytes1x: totalBytes(uniqueBlobs(small)),
      bytes4x: totalBytes(uniqueBlobs(all)),
      pictureBook1x: new Series('picture-book 1x'),
      pictureBook4x: new Series(`picture-book ${options.scale}x`),
    };
    results.scaling = scaling;
    await interleave(
      options.rounds,
      [
        {
          name: '1x',
          run: async () => {
            const s = await measureMirror(target, paths(small), 'picture-book 1x', scaling.pictureBook1x, () =>
              runPictureBookLoad(config1, timeoutMs),
            );
            log(`  1x: ${describeSample(s)}`);
          },
        },
        {
          name: `${options.scale}x`,
          run: async () => {
            const s = await measureMirror(target, paths(all), `picture-book ${options.scale}x`, scaling.pictureBook4x, () =>
              runPictureBookLoad(configN, timeoutMs),
            );
            log(`  ${options.scale}x: ${describeSample(s)}`);
          },
        },
      ],
      log,
    );
  }
  return results;
}

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  // A wrong flag is the user's to fix: what is wrong, not where in the bench it was found.
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)} (--help lists the options)\n`);
  process.exit(2);
}
// Every measured process has its own timeout; this bounds everything else (seeding, registries).
const watchdog = setTimeout(
  () => {
    log('giving up: the benchmark ran for more than 3 hours');
    process.exit(1);
  },
  3 * 3600 * 1000,
);
watchdog.unref();
try {
  await main(options);
  log(`done in ${((performance.now() - began) / 1000).toFixed(0)} s`);
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
