import type { MachineInfo } from './machine.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { ApiLoadFigures } from '../test/chaos/api-load.js';
import type { CountedPasses } from './counted-pass.js';
import { contentGets, requestRow } from './request-count.js';
import { round, type Series } from './series.js';
import { fixed, formatTable } from './table.js';

/** Every figure of one benchmark run; written as JSON and printed as a table. */
export interface BenchResults {
  date: string;
  machine: MachineInfo;
  options: Record<string, unknown>;
  corpus: { images: number; repositories: number; indexes: number; blobs: number; bytes: number; largeLayerMiB: number };
  /** `pictureBookNoReferrers`: with `referrers: false`, for parity with skopeo sync (absent from older result files). */
  full: { pictureBook: Series; skopeo: Series; floor: Series; pictureBookNoReferrers?: Series };
  noChange: { pictureBook: Series; skopeo: Series; pictureBookNoReferrers?: Series };
  /** Mirrors of one image with a single big layer. */
  bigLayer?: { layerMiB: number; bytes: number; pictureBook: Series; skopeo: Series };
  scaling?: {
    factor: number;
    images1x: number;
    images4x: number;
    bytes1x: number;
    bytes4x: number;
    pictureBook1x: Series;
    pictureBook4x: Series;
  };
  requests?: CountedPasses;
  profile?: ProfileSummary;
  /** The API under load: jobs at once, requests during a running sync. */
  apiLoad?: ApiLoadFigures;
}

export interface TargetCheck {
  name: string;
  value: number;
  limit: string;
  pass: boolean;
}

const MB = 1e6;
/** The tool column of the rows run with `referrers: false` (no signatures, as skopeo sync copies none). */
const NO_REFERRERS = 'picture-book, referrers: false';

/** The issue's targets, each as a ratio measured in this run. */
export function targets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const fullRatio = r.full.pictureBook.medianS / r.full.skopeo.medianS;
  checks.push({
    name: 'full mirror: picture-book / skopeo wall time',
    value: round(fullRatio, 3),
    limit: '<= 0.6',
    pass: fullRatio <= 0.6,
  });
  const ofFloor = (100 * r.full.floor.medianS) / r.full.pictureBook.medianS;
  checks.push({
    name: 'full mirror: picture-book throughput, % of raw floor',
    value: round(ofFloor, 1),
    limit: '>= 80',
    pass: ofFloor >= 80,
  });
  const noChangeRatio = r.noChange.pictureBook.medianS / r.noChange.skopeo.medianS;
  checks.push({
    name: 'no-change: picture-book / skopeo wall time',
    value: round(noChangeRatio, 3),
    limit: '<= 0.5',
    pass: noChangeRatio <= 0.5,
  });
  if (r.requests) {
    const gets = contentGets(r.requests.pictureBook.noChange.source) + contentGets(r.requests.pictureBook.noChange.target);
    checks.push({ name: 'no-change: picture-book manifest/blob GETs', value: gets, limit: '== 0', pass: gets === 0 });
  }
  const pbSeries = [
    r.full.pictureBook,
    r.noChange.pictureBook,
    r.bigLayer?.pictureBook,
    r.scaling?.pictureBook1x,
    r.scaling?.pictureBook4x,
  ];
  const rss = Math.max(...pbSeries.filter((s): s is Series => s !== undefined).map((s) => s.maxRssMB));
  checks.push({
    name: `peak RSS of picture-book, any run${r.bigLayer ? ` (incl. ${r.bigLayer.layerMiB} MiB layer)` : ''}, MB`,
    value: round(rss, 1),
    limit: '<= 150',
    pass: rss <= 150,
  });
  if (r.scaling) {
    const ratio = r.scaling.pictureBook4x.medianS / r.scaling.pictureBook1x.medianS;
    const limit = 1.1 * r.scaling.factor;
    checks.push({
      name: `${r.scaling.factor}x the images: time ratio`,
      value: round(ratio, 2),
      limit: `<= ${fixed(limit, 1)}`,
      pass: ratio <= limit,
    });
  }
  return checks;
}

function row(run: string, tool: string, s: Series, bytes: number, vsSkopeo: Series | undefined, floor: Series | undefined): string[] {
  const secs = s.medianS;
  return [
    run,
    tool,
    fixed(secs, 2),
    bytes > 0 ? fixed(bytes / MB / secs, 0) : '-',
    fixed(s.maxRssMB, 0),
    vsSkopeo ? `${fixed(secs / vsSkopeo.medianS, 2)}x` : '-',
    floor ? `${fixed((100 * floor.medianS) / secs, 0)}%` : '-',
  ];
}

export function formatResults(r: BenchResults): string {
  const n = r.full.pictureBook.samples.length;
  const bytes = r.corpus.bytes;
  const rows: string[][] = [
    row('full mirror', 'picture-book', r.full.pictureBook, bytes, r.full.skopeo, r.full.floor),
    ...(r.full.pictureBookNoReferrers
      ? [row('full mirror', NO_REFERRERS, r.full.pictureBookNoReferrers, bytes, r.full.skopeo, r.full.floor)]
      : []),
    row('full mirror', 'skopeo sync', r.full.skopeo, bytes, r.full.skopeo, r.full.floor),
    row('full mirror', 'raw floor', r.full.floor, bytes, r.full.skopeo, r.full.floor),
    row('no change', 'picture-book', r.noChange.pictureBook, 0, r.noChange.skopeo, undefined),
    ...(r.noChange.pictureBookNoReferrers
      ? [row('no change', NO_REFERRERS, r.noChange.pictureBookNoReferrers, 0, r.noChange.skopeo, undefined)]
      : []),
    row('no change', 'skopeo sync', r.noChange.skopeo, 0, r.noChange.skopeo, undefined),
  ];
  if (r.bigLayer) {
    const label = `${r.bigLayer.layerMiB} MiB layer`;
    rows.push(row(label, 'picture-book', r.bigLayer.pictureBook, r.bigLayer.bytes, r.bigLayer.skopeo, undefined));
    rows.push(row(label, 'skopeo sync', r.bigLayer.skopeo, r.bigLayer.bytes, r.bigLayer.skopeo, undefined));
  }
  if (r.scaling) {
    const s = r.scaling;
    rows.push(row(`scaling 1x (${s.images1x} img)`, 'picture-book', s.pictureBook1x, s.bytes1x, undefined, undefined));
    const r4 = row(`scaling ${s.factor}x (${s.images4x} img)`, 'picture-book', s.pictureBook4x, s.bytes4x, undefined, undefined);
    r4[5] = `${fixed(s.pictureBook4x.medianS / s.pictureBook1x.medianS, 2)}x of 1x`;
    rows.push(r4);
  }
  const corpus = `${r.corpus.images} images in ${r.corpus.repositories} repositories (${r.corpus.indexes} multi-platform indexes, one ${r.corpus.largeLayerMiB} MiB layer), ${r.corpus.blobs} unique blobs, ${fixed(bytes / MB, 0)} MB`;
  const parts = [
    `machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGiB} GiB RAM, Linux ${r.machine.kernel}, Node ${r.machine.node}, ${r.machine.skopeo}, ${r.machine.registry}`,
    `corpus: ${corpus}`,
    `wall s = median of ${n} interleaved rounds; MB/s = unique blob bytes / wall (MB = 10^6 bytes); peak RSS = max over rounds (GNU time %M)`,
    '',
    formatTable(['run', 'tool', 'wall s', 'MB/s', 'peak RSS MB', 'vs skopeo', '% of floor'], rows),
  ];
  if (r.requests) {
    const q = r.requests;
    parts.push(
      '',
      'requests (one extra pass through counting proxies in front of both registries):',
      formatTable(
        ['run', 'tool', 'manifest+blob GETs', 'source requests', 'target requests'],
        [
          requestRow('full mirror', 'picture-book', q.pictureBook.full),
          ...(q.pictureBookNoReferrers ? [requestRow('full mirror', NO_REFERRERS, q.pictureBookNoReferrers.full)] : []),
          requestRow('full mirror', 'skopeo sync', q.skopeo.full),
          requestRow('no change', 'picture-book', q.pictureBook.noChange),
          ...(q.pictureBookNoReferrers ? [requestRow('no change', NO_REFERRERS, q.pictureBookNoReferrers.noChange)] : []),
          requestRow('no change', 'skopeo sync', q.skopeo.noChange),
        ],
      ),
    );
  }
  parts.push('', 'targets:');
  for (const t of targets(r)) parts.push(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.value} (${t.limit})`);
  return parts.join('\n');
}
