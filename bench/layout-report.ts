import type { MachineInfo } from './machine.js';
import type { TargetCheck } from './report.js';
import type { RequestCounts } from './request-count.js';
import { round, type Series } from './series.js';
import { fixed, formatTable } from './table.js';

/** Figures of the air-gap rows (bench/results/layout.json): exports of the corpus to an OCI layout directory. */
export interface LayoutResults {
  date: string;
  machine: MachineInfo;
  options: Record<string, unknown>;
  corpus: { images: number; blobs: number; bytes: number };
  /** The machine's 1-minute load average before the rows began (other work on the machine shows here). */
  loadBefore: number;
  export: { pictureBook: Series; skopeo: Series };
  noChange: { pictureBook: Series; skopeo: Series };
  /** Requests the source registry received, through a counting proxy: one more export, then a no-change re-export. */
  requests?: { export: RequestCounts; noChange: RequestCounts };
}

const MB = 1e6;

/** The targets: an export at least as fast as skopeo's, and a no-change re-export that reads no blob. */
export function layoutTargets(r: LayoutResults): TargetCheck[] {
  const ratio = r.export.pictureBook.medianS / r.export.skopeo.medianS;
  const checks: TargetCheck[] = [
    {
      name: 'layout export: picture-book / skopeo copy --all (one after another) wall time',
      value: round(ratio, 3),
      limit: '<= 1.0',
      pass: ratio <= 1,
    },
  ];
  if (r.requests) {
    const blobGets = r.requests.noChange['GET blob'] ?? 0;
    checks.push({ name: 'no-change re-export: blob GETs at the source', value: blobGets, limit: '== 0', pass: blobGets === 0 });
  }
  return checks;
}

function row(run: string, tool: string, s: Series, bytes: number, skopeo: Series): string[] {
  const load = Math.max(...s.samples.map((x) => x.load1));
  return [
    run,
    tool,
    fixed(s.medianS, 2),
    bytes > 0 ? fixed(bytes / MB / s.medianS, 0) : '-',
    fixed(s.maxRssMB, 0),
    `${fixed(s.medianS / skopeo.medianS, 2)}x`,
    fixed(load, 1),
  ];
}

export function formatLayoutResults(r: LayoutResults): string {
  const fmt = (c: RequestCounts) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const m = r.machine;
  const parts = [
    `machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.skopeo}, ${m.registry}`,
    `corpus: ${r.corpus.images} images, ${r.corpus.blobs} unique blobs, ${fixed(r.corpus.bytes / MB, 0)} MB, exported to an OCI layout directory on local disk (load average before: ${fixed(r.loadBefore, 1)})`,
    `wall s = median of ${r.export.pictureBook.samples.length} interleaved rounds; MB/s = unique blob bytes / wall; peak RSS = max over rounds (skopeo: its largest process); load = highest 1-min load average after a run`,
    '',
    formatTable(
      ['run', 'tool', 'wall s', 'MB/s', 'peak RSS MB', 'vs skopeo', 'load'],
      [
        row('layout export', 'picture-book load', r.export.pictureBook, r.corpus.bytes, r.export.skopeo),
        row('layout export', 'skopeo copy --all', r.export.skopeo, r.corpus.bytes, r.export.skopeo),
        row('layout no change', 'picture-book load', r.noChange.pictureBook, 0, r.noChange.skopeo),
        row('layout no change', 'skopeo copy --all', r.noChange.skopeo, 0, r.noChange.skopeo),
      ],
    ),
  ];
  if (r.requests) {
    parts.push(
      '',
      `requests at the source (counting proxy): export: ${fmt(r.requests.export)}; no-change re-export: ${fmt(r.requests.noChange)}`,
    );
  }
  parts.push('', 'targets:');
  for (const t of layoutTargets(r)) parts.push(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.value} (${t.limit})`);
  return parts.join('\n');
}
