import { parseArgs } from 'node:util';

/** Everything a benchmark run can be told on its command line (`npm run bench -- --rounds 5`). */
export interface BenchOptions {
  /** Repositories in the 1x corpus. */
  repos: number;
  /** Tags per repository. */
  tags: number;
  /** Size of the corpus's one large layer, MiB. */
  largeMb: number;
  /** Corpus multiplier for the scaling run (1 = no scaling run). */
  scale: number;
  /** Interleaved rounds; medians are reported. */
  rounds: number;
  /** Layer size, MiB, of the extra run that records picture-book's peak RSS (0 = skip). */
  rssLayerMb: number;
  /** picture-book's `concurrency:` in the generated config. */
  pbImages: number | undefined;
  pbBlobs: number | undefined;
  /** Concurrent blob streams of the raw floor. */
  floorConcurrency: number;
  /** Parallel skopeo pushes while seeding the source. */
  seedConcurrency: number;
  /** Also run picture-book once under `node --cpu-prof` and summarise the profile. */
  profile: boolean;
  /** Kill any single measured process after this many seconds (the run then fails). */
  timeoutS: number;
  /** Where the figures go. */
  out: string;
  quick: boolean;
  /** Tags of the one source repository of the many-tags rows (0 = skip them). */
  manyTags: number;
  /** Repositories of the source registry of the many-repositories rows (0 = skip them), and tags each. */
  manyRepos: number;
  manyReposTags: number;
  /** Only the many-tags and many-repositories rows, not the corpus ones. */
  manyOnly: boolean;
  /** Where the figures of those rows go. */
  manyOut: string;
  /** The API under load: distribute jobs posted at once, then API requests during a running sync (0 skips). */
  apiJobs: number;
  apiRequests: number;
  /** Only the API-under-load section. */
  apiOnly: boolean;
  /** Only the air-gap rows (corpus exported to an OCI layout), on a source registry of their own. */
  layoutOnly: boolean;
  /** Where the figures of those rows go. */
  layoutOut: string;
  /** Only the scaling run's Nx row (the corpus times `scale`), on registries of its own. */
  scalingOnly: boolean;
  /** With `scalingOnly`: another build's CLI (its dist/bin/picture-book.js), run interleaved with this one. */
  baselineCli: string | undefined;
  /** Where the figures of the scaling-only run go. */
  scalingOut: string;
  /** Workers of the scale-out row (corpus through `sync --queue` and a redis-server; 0 skips it). */
  queueWorkers: number;
  /**
   * Copy slots of each worker of the scale-out row's measured lines (undefined: the in-process run's
   * `concurrency.images` shared out over the workers, so both runs have as many copies under way).
   */
  queueWorkerImages: number | undefined;
  /** Images of the scale-out row's one-job-at-a-time line (sync and one worker at concurrency 1; 0 skips it). */
  queueSerialImages: number;
  /** Only the scale-out row. */
  queueOnly: boolean;
  /** Where the figures of the queue-only run go. */
  queueOut: string;
  /** When the scale-out row's Redis syncs its append-only file: `everysec` as deployed (README), or `always` as the tests' Redis. */
  queueRedisFsync: 'always' | 'everysec';
}

const HELP = `node dist/bench/main.js [options]     (npm run bench -- [options])

  --repos N              repositories in the 1x corpus (default 25)
  --tags N               tags per repository (default 3)
  --large-mb N           size of the corpus's large layer in MiB (default 400; 1024+ works)
  --scale N              corpus multiplier for the scaling run (default 4; 1 skips it)
  --rounds N             interleaved rounds, medians reported (default 3)
  --rss-layer-mb N       layer size of the peak-RSS run in MiB (default 1024; 0 skips it)
  --pb-images N          picture-book concurrency.images (default: picture-book's own, 8)
  --pb-blobs N           picture-book concurrency.blobs (default: picture-book's own, 16)
  --floor-concurrency N  parallel blob streams of the raw floor (default 16, as picture-book's blobs)
  --seed-concurrency N   parallel skopeo pushes while seeding (default 4)
  --profile              also run picture-book under node --cpu-prof and summarise it
  --timeout-s N          kill a measured process after N seconds (default 900)
  --api-jobs N           distribute jobs posted at once in the API-under-load run (default 200; 0 skips it)
  --api-requests N       API requests during a running sync in that run (default 2000)
  --api-only             run only the API-under-load section (figures: bench/results/api-load.json)
  --layout-only          run only the air-gap rows: the corpus exported to an OCI layout by picture-book
                         and by skopeo copy (figures: bench/results/layout.json)
  --layout-out FILE      where the air-gap rows' figures go (default bench/results/layout.json)
  --scaling-only         run only the scaling run's Nx row (the corpus times --scale, no large image), e.g. to
                         measure its peak RSS alone (figures: bench/results/scaling.json)
  --baseline-cli FILE    with --scaling-only: also run that build's CLI (another checkout's
                         dist/bin/picture-book.js), interleaved round by round with this one
  --scaling-out FILE     where the scaling-only figures go (default bench/results/scaling.json)
  --queue-workers N      workers of the scale-out row: the corpus through 1 sync + N workers on a
                         redis-server vs in-process, with the queue overhead per image (default 2; 0 skips it)
  --queue-worker-images N  copy slots of each worker in the scale-out row's measured lines (default: the
                         in-process run's concurrency.images shared out, 8 / 2 workers = 4, so both runs have
                         as many copies under way; a line of workers at the in-process figure each follows)
  --queue-serial-images N  images of the scale-out row's one-job-at-a-time line: the queue's own cost, sync
                         and one worker at concurrency 1 (default 25, at most the corpus; 0 skips it)
  --queue-only           run only the scale-out row (figures: bench/results/queue.json)
  --queue-out FILE       where the queue-only figures go (default bench/results/queue.json)
  --queue-redis-fsync always|everysec  when the scale-out row's Redis syncs its append-only file to disk
                         (default everysec, Redis's default with appendonly yes, as the README deploys it)
  --out FILE             where to write the figures (default bench/results/latest.json)
  --many-tags N          tags of the one repository of the many-tags rows (default 2000; 0 skips them)
  --many-repos N         repositories of the registry of the many-repositories rows (default 200; 0 skips)
  --many-repos-tags N    tags of each of those repositories (default 3)
  --many-only            only the many-tags and many-repositories rows
  --many-out FILE        where their figures go (default bench/results/many.json)
  --quick                a small, fast variant to check that everything works
                         (4 repos x 2 tags, 32 MiB large layer, 1 round, scale 2, 128 MiB RSS layer,
                         200 tags, 20 repositories)
`;

function positive(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} wants an integer >= ${min}, got "${value}"`);
  return n;
}

/** Parses argv; prints help and exits on --help. Quick mode changes the defaults, not explicit flags. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      repos: { type: 'string' },
      tags: { type: 'string' },
      'large-mb': { type: 'string' },
      scale: { type: 'string' },
      rounds: { type: 'string' },
      'rss-layer-mb': { type: 'string' },
      'pb-images': { type: 'string' },
      'pb-blobs': { type: 'string' },
      'floor-concurrency': { type: 'string' },
      'seed-concurrency': { type: 'string' },
      profile: { type: 'boolean' },
      'timeout-s': { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean' },
      'many-tags': { type: 'string' },
      'many-repos': { type: 'string' },
      'many-repos-tags': { type: 'string' },
      'many-only': { type: 'boolean' },
      'many-out': { type: 'string' },
      'api-jobs': { type: 'string' },
      'api-requests': { type: 'string' },
      'api-only': { type: 'boolean' },
      'layout-only': { type: 'boolean' },
      'layout-out': { type: 'string' },
      'scaling-only': { type: 'boolean' },
      'baseline-cli': { type: 'string' },
      'scaling-out': { type: 'string' },
      'queue-workers': { type: 'string' },
      'queue-worker-images': { type: 'string' },
      'queue-serial-images': { type: 'string' },
      'queue-only': { type: 'boolean' },
      'queue-out': { type: 'string' },
      'queue-redis-fsync': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values['baseline-cli'] !== undefined && values['scaling-only'] !== true)
    throw new Error('--baseline-cli works with --scaling-only only');
  if (values['queue-only'] === true && values['queue-workers'] === '0') throw new Error('--queue-only wants --queue-workers of 1 or more');
  const fsync = values['queue-redis-fsync'] ?? 'everysec';
  if (fsync !== 'always' && fsync !== 'everysec')
    throw new Error(`--queue-redis-fsync wants always or everysec, not ${JSON.stringify(fsync)}`);
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const quick = values.quick === true;
  return {
    repos: positive('repos', values.repos, quick ? 4 : 25),
    tags: positive('tags', values.tags, quick ? 2 : 3),
    largeMb: positive('large-mb', values['large-mb'], quick ? 32 : 400),
    scale: positive('scale', values.scale, quick ? 2 : 4),
    rounds: positive('rounds', values.rounds, quick ? 1 : 3),
    rssLayerMb: positive('rss-layer-mb', values['rss-layer-mb'], quick ? 128 : 1024, 0),
    pbImages: values['pb-images'] === undefined ? undefined : positive('pb-images', values['pb-images'], 0),
    pbBlobs: values['pb-blobs'] === undefined ? undefined : positive('pb-blobs', values['pb-blobs'], 0),
    floorConcurrency: positive('floor-concurrency', values['floor-concurrency'], 16),
    seedConcurrency: positive('seed-concurrency', values['seed-concurrency'], 4),
    profile: values.profile === true,
    timeoutS: positive('timeout-s', values['timeout-s'], 900),
    out: values.out ?? (quick ? '.bench/quick.json' : values['api-only'] ? 'bench/results/api-load.json' : 'bench/results/latest.json'),
    quick,
    manyTags: positive('many-tags', values['many-tags'], quick ? 200 : 2000, 0),
    manyRepos: positive('many-repos', values['many-repos'], quick ? 20 : 200, 0),
    manyReposTags: positive('many-repos-tags', values['many-repos-tags'], 3),
    manyOnly: values['many-only'] === true,
    manyOut: values['many-out'] ?? (quick ? '.bench/quick-many.json' : 'bench/results/many.json'),
    apiJobs: positive('api-jobs', values['api-jobs'], quick ? 50 : 200, 0),
    apiRequests: positive('api-requests', values['api-requests'], quick ? 500 : 2000),
    apiOnly: values['api-only'] === true,
    layoutOnly: values['layout-only'] === true,
    layoutOut: values['layout-out'] ?? (quick ? '.bench/quick-layout.json' : 'bench/results/layout.json'),
    scalingOnly: values['scaling-only'] === true,
    baselineCli: values['baseline-cli'],
    scalingOut: values['scaling-out'] ?? (quick ? '.bench/quick-scaling.json' : 'bench/results/scaling.json'),
    queueWorkers: positive('queue-workers', values['queue-workers'], 2, 0),
    queueWorkerImages:
      values['queue-worker-images'] === undefined ? undefined : positive('queue-worker-images', values['queue-worker-images'], 0),
    queueSerialImages: positive('queue-serial-images', values['queue-serial-images'], 25, 0),
    queueOnly: values['queue-only'] === true,
    queueOut: values['queue-out'] ?? (quick ? '.bench/quick-queue.json' : 'bench/results/queue.json'),
    queueRedisFsync: fsync,
  };
}
