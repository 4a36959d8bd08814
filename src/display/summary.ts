import type { ReferrerCounts } from '../copy/index.js';
import { plural, scriptCount } from './event-lines.js';
import { formatBytes, formatDuration, formatRate } from './units.js';

/** Something that went wrong in a run, kept to be listed again at its end. */
export interface Failure {
  registry: string;
  /** `image`: one image failed; `list`: a syncer script failed or printed an invalid line, or a rule's selection failed. */
  kind: 'image' | 'list';
  /** The image ("SOURCE -> TARGET"), a script failure, or an invalid line. */
  subject: string;
  /** Why; '' when the subject says it all. */
  reason: string;
}

/** A run's totals, as the summary block prints them. */
export interface SummaryStats {
  copied: number;
  upToDate: number;
  /** Images that failed: as many as the `image` failures listed. */
  failed: number;
  /** Images a platform filter that skips left out: as many as `skips` lists. */
  skipped?: number;
  /** Why each skipped image was (subject and reason, as a failure's). */
  skips?: readonly Failure[];
  /** Images a stop left uncopied. */
  cancelled?: number;
  /** Failed syncer scripts, invalid lines and selection errors: together as many as the `list` failures listed. */
  scriptFailures?: number;
  invalidLines?: number;
  selectionErrors?: number;
  bytes: number;
  durationMs: number;
  dryRun?: boolean;
  /** Dry run only: images that a real run would copy. */
  wouldCopy?: number;
  /** Target tags pruning deleted (a dry run: would delete). */
  pruned?: number;
  /** Signatures, attestations and SBOMs that followed the images (counted apart from them). */
  referrers?: ReferrerCounts;
  failures?: readonly Failure[];
}

/** `3 found: 1 copied, 1 already there, 1 failed` (found is the sum); undefined when none were found. */
export function referrerCountsPhrase(referrers: ReferrerCounts | undefined): string | undefined {
  if (!referrers) return undefined;
  const found = referrers.copied + referrers.present + referrers.failed;
  if (found === 0) return undefined;
  return `${found} found: ${referrers.copied} copied, ${referrers.present} already there${referrers.failed > 0 ? `, ${referrers.failed} failed` : ''}`;
}

/**
 * The end-of-run block shared by the plain log, the live display and the CLI. Images and image
 * lists are counted apart, and each count heads its own list: "3 failed" lists three images.
 */
export function summaryLines(stats: SummaryStats): string[] {
  const first = stats.dryRun ? `${stats.wouldCopy ?? 0} would copy` : `${stats.copied} copied`;
  const scripts = stats.scriptFailures ?? 0;
  const lines = stats.invalidLines ?? 0;
  const out = [
    `images: ${first}, ${stats.upToDate} up to date, ${stats.skipped ? `${stats.skipped} skipped (platform), ` : ''}${stats.failed} failed${stats.cancelled ? `, ${stats.cancelled} cancelled (stopped)` : ''}${stats.dryRun ? ' (dry run)' : ''}`,
  ];
  const pruned = stats.pruned ?? 0;
  if (pruned > 0) out.push(`${stats.dryRun ? 'would prune' : 'pruned'}: ${plural(pruned, 'tag')}`);
  const referrers = stats.dryRun ? undefined : referrerCountsPhrase(stats.referrers);
  if (referrers) out.push(`signatures and attestations: ${referrers}`);
  const selection = stats.selectionErrors ?? 0;
  if (scripts + lines + selection > 0)
    out.push(
      `image lists: ${scriptCount(scripts)}, ${plural(lines, 'invalid line')}${selection > 0 ? `, ${plural(selection, 'selection error')}` : ''}`,
    );
  out.push(
    `bytes moved: ${formatBytes(stats.bytes)}${stats.bytes > 0 ? ` (${formatRate(stats.bytes, stats.durationMs)})` : ''}`,
    `time: ${formatDuration(stats.durationMs)}`,
  );
  const failures = stats.failures ?? [];
  const section = (title: string, list: readonly Failure[]) => {
    if (list.length === 0) return;
    out.push(`${title} (${list.length}):`);
    for (const f of list) out.push(`  ${f.registry ? `[${f.registry}] ` : ''}${f.subject}${f.reason ? `: ${f.reason}` : ''}`);
  };
  section('skipped images', stats.skips ?? []);
  section(
    'failed images',
    failures.filter((f) => f.kind === 'image'),
  );
  section(
    'image list problems',
    failures.filter((f) => f.kind === 'list'),
  );
  return out;
}
