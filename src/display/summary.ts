import { formatBytes, formatDuration, formatRate } from './units.js';

/** Something that went wrong in a run, kept to be listed again at its end. */
export interface Failure {
  registry: string;
  /** The image ("SOURCE -> TARGET"), `syncer script`, or an invalid line. */
  subject: string;
  reason: string;
}

/** A run's totals, as the summary block prints them. */
export interface SummaryStats {
  copied: number;
  upToDate: number;
  failed: number;
  /** Images a stop left uncopied. */
  cancelled?: number;
  bytes: number;
  durationMs: number;
  dryRun?: boolean;
  /** Dry run only: images that a real run would copy. */
  wouldCopy?: number;
  failures?: readonly Failure[];
}

/** The end-of-run block shared by the plain log, the live display and the CLI. */
export function summaryLines(stats: SummaryStats): string[] {
  const first = stats.dryRun ? `${stats.wouldCopy ?? 0} would copy` : `${stats.copied} copied`;
  const lines = [
    `images: ${first}, ${stats.upToDate} up to date, ${stats.failed} failed${stats.cancelled ? `, ${stats.cancelled} cancelled (stopped)` : ''}${stats.dryRun ? ' (dry run)' : ''}`,
    `bytes moved: ${formatBytes(stats.bytes)}${stats.bytes > 0 ? ` (${formatRate(stats.bytes, stats.durationMs)})` : ''}`,
    `time: ${formatDuration(stats.durationMs)}`,
  ];
  const failures = stats.failures ?? [];
  if (failures.length > 0) {
    lines.push('failures:');
    for (const f of failures) lines.push(`  ${f.registry ? `[${f.registry}] ` : ''}${f.subject}: ${f.reason}`);
  }
  return lines;
}
