import type { MachineInfo } from './machine.js';
import type { ListingPhase } from './many-runs.js';
import type { TargetCheck } from './report.js';
import { contentGets, type CountedRun } from './request-count.js';
import { round, type Series } from './series.js';
import { fixed, formatTable } from './table.js';

/** One way picture-book mirrors the many-tags repository. */
export interface ManyTagsVariant {
  /** `mirrors: rule` (load with a repository rule) or `copy --all-tags`. */
  how: string;
  first: Series;
  noChange: Series;
  /** The no-change run, once more through counting proxies. */
  counted: CountedRun;
  /** From the JSON events of the rule's runs (none for copy --all-tags). */
  listing?: ListingPhase[];
}

/** Figures of the many-tags and many-repositories rows (bench/results/many.json). */
export interface ManyResults {
  date: string;
  machine: MachineInfo;
  options: Record<string, unknown>;
  manyTags?: {
    tags: number;
    repository: string;
    pictureBook: ManyTagsVariant[];
    skopeo: { first: Series; noChange: Series; counted: CountedRun };
  };
  manyRepos?: {
    repositories: number;
    tagsEach: number;
    first: Series;
    noChange: Series;
    counted: CountedRun;
    /** The first run's, then each no-change run's. */
    listing: ListingPhase[];
  };
}

const get = (run: CountedRun, key: string): number => (run.source[key] ?? 0) + (run.target[key] ?? 0);
const gets = (run: CountedRun): number => contentGets(run.source) + contentGets(run.target);

/** The targets for these rows. The first picture-book variant is the one the targets are about. */
export function manyTargets(r: ManyResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const many = r.manyTags;
  const pb = many?.pictureBook[0];
  if (many && pb) {
    const ratio = pb.noChange.medianS / many.skopeo.noChange.medianS;
    checks.push({
      name: `${many.tags} tags, no-change (${pb.how}) / skopeo sync wall time`,
      value: round(ratio, 3),
      limit: '<= 0.3',
      pass: ratio <= 0.3,
    });
    checks.push({
      name: `${many.tags} tags, no-change: manifest/blob GETs`,
      value: gets(pb.counted),
      limit: '== 0',
      pass: gets(pb.counted) === 0,
    });
    const pages = Math.ceil(many.tags / 1000);
    const walks = pb.counted.source['GET tags'] ?? 0;
    checks.push({
      name: `${many.tags} tags, no-change: tags/list GETs (one walk)`,
      value: walks,
      limit: `1..${pages}`,
      pass: walks >= 1 && walks <= pages,
    });
    const heads = get(pb.counted, 'HEAD manifest');
    checks.push({
      name: `${many.tags} tags, no-change: manifest HEADs (source + target)`,
      value: heads,
      limit: `== ${2 * many.tags}`,
      pass: heads === 2 * many.tags,
    });
  }
  const fleet = r.manyRepos;
  if (fleet) {
    const n = gets(fleet.counted);
    checks.push({ name: `${fleet.repositories} repositories, no-change: manifest/blob GETs`, value: n, limit: '== 0', pass: n === 0 });
    const lists = fleet.counted.source['GET tags'] ?? 0;
    checks.push({
      name: `${fleet.repositories} repositories, no-change: tags/list GETs`,
      value: lists,
      limit: `== ${fleet.repositories}`,
      pass: lists === fleet.repositories,
    });
    const reported = fleet.listing.every((l) => l.progressEvents > 0 && l.repositories === fleet.repositories);
    checks.push({
      name: `${fleet.repositories} repositories: listing progress reported (events, repositories found)`,
      value: fleet.listing[0]?.progressEvents ?? 0,
      limit: '> 0',
      pass: reported,
    });
  }
  return checks;
}

const fmtCounts = (c: Record<string, number>): string =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

const medianListing = (phases: readonly ListingPhase[]): number => {
  const sorted = phases.map((p) => p.ms).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

export function formatManyResults(r: ManyResults): string {
  const m = r.machine;
  const parts = [
    `machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.skopeo}, ${m.registry}`,
  ];
  const rows: string[][] = [];
  const counted: string[][] = [];
  const many = r.manyTags;
  if (many) {
    const label = `${many.tags} tags, 1 repository`;
    const skopeo = many.skopeo;
    for (const v of many.pictureBook) {
      // A variant that wrote the same target as one before it has no first mirror of its own.
      const measuredFirst = v.first.samples.length > 0;
      const listings = v.listing ?? [];
      const firstListing = measuredFirst ? listings[0] : undefined;
      const again = measuredFirst ? listings.slice(1) : listings;
      if (measuredFirst)
        rows.push([
          `${label}: first mirror`,
          `picture-book (${v.how})`,
          fixed(v.first.medianS, 2),
          `${fixed(v.first.medianS / skopeo.first.medianS, 2)}x`,
          firstListing ? fixed(firstListing.ms / 1000, 2) : '-',
        ]);
      rows.push([
        `${label}: no change`,
        `picture-book (${v.how})`,
        fixed(v.noChange.medianS, 2),
        `${fixed(v.noChange.medianS / skopeo.noChange.medianS, 2)}x`,
        again.length > 0 ? fixed(medianListing(again) / 1000, 2) : '-',
      ]);
      counted.push([
        `${label}: no change`,
        `picture-book (${v.how})`,
        String(gets(v.counted)),
        fmtCounts(v.counted.source),
        fmtCounts(v.counted.target),
      ]);
    }
    rows.push([`${label}: first mirror`, 'skopeo sync --src docker', fixed(skopeo.first.medianS, 2), '1.00x', '-']);
    rows.push([`${label}: no change`, 'skopeo sync --src docker', fixed(skopeo.noChange.medianS, 2), '1.00x', '-']);
    counted.push([
      `${label}: no change`,
      'skopeo sync --src docker',
      String(gets(skopeo.counted)),
      fmtCounts(skopeo.counted.source),
      fmtCounts(skopeo.counted.target),
    ]);
  }
  const fleet = r.manyRepos;
  if (fleet) {
    const label = `registry of ${fleet.repositories} repositories x ${fleet.tagsEach} tags`;
    const [firstListing, ...again] = fleet.listing;
    rows.push([
      `${label}: first mirror`,
      'picture-book (mirrors: registry rule)',
      fixed(fleet.first.medianS, 2),
      '-',
      fixed((firstListing?.ms ?? Number.NaN) / 1000, 2),
    ]);
    rows.push([
      `${label}: no change`,
      'picture-book (mirrors: registry rule)',
      fixed(fleet.noChange.medianS, 2),
      '-',
      fixed(medianListing(again) / 1000, 2),
    ]);
    counted.push([
      `${label}: no change`,
      'picture-book (mirrors: registry rule)',
      String(gets(fleet.counted)),
      fmtCounts(fleet.counted.source),
      fmtCounts(fleet.counted.target),
    ]);
  }
  const rounds = many?.skopeo.noChange.samples.length ?? fleet?.noChange.samples.length ?? 0;
  parts.push(
    `wall s = median of ${rounds} no-change runs (first mirror: one run into an empty repository); listing s = from the registry's start to every rule listed (JSON events of load)`,
    '',
    formatTable(['run', 'tool', 'wall s', 'vs skopeo', 'listing s'], rows),
    '',
    'requests of one more no-change run through counting proxies in front of both registries:',
    formatTable(['run', 'tool', 'manifest+blob GETs', 'source requests', 'target requests'], counted),
  );
  parts.push('', 'targets:');
  for (const t of manyTargets(r)) parts.push(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.value} (${t.limit})`);
  return parts.join('\n');
}
