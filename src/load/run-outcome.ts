import type { ReferrerCounts } from '../copy/index.js';
import { addReferrers, noReferrers, type ImageCounts } from './run-counts.js';

/** What happened to one image in a run (kept for the summary and the run history). */
export interface ImageOutcome {
  source: string;
  target: string;
  /**
   * `cancelled`: the run was stopped before this image was copied (not a failure). `skipped`: a
   * platform filter that skips found none of its platforms in the image (`note` says what it has).
   */
  status: 'copied' | 'up-to-date' | 'skipped' | 'failed' | 'cancelled' | 'would-copy';
  note?: string | undefined;
  digest?: string | undefined;
  bytes: number;
  error?: { code: string; message: string } | undefined;
  /** Retry passes it took part in (`retries`): absent when its first try was its last. */
  retried?: number | undefined;
  /** What followed it (signatures, attestations, SBOMs); absent when none were looked for. */
  referrers?: ReferrerCounts | undefined;
  /** The referrer manifests this copy wrote (pruning the tag deletes them): the referrer's digest and what it refers to. */
  referrersWritten?: Array<{ digest: string; subject: string }> | undefined;
}

export interface RegistryOutcome extends ImageCounts {
  registry: string;
  /** Nothing failed (cancelled images are not failures). */
  ok: boolean;
  startedAt: number;
  durationMs: number;
  /** The syncer script failed: nothing was synced for this registry. */
  scriptError?: string | undefined;
  invalidLines: Array<{ line: number; text: string; message: string }>;
  /** What the selection reported: listings that failed, empty selections, collisions. Errors make the run fail. */
  selectionProblems: SelectionProblemOutcome[];
  images: ImageOutcome[];
  /** Target tags pruning deleted (rules with `prune:`). */
  pruned?: number | undefined;
  /** What followed its images, summed (see ImageOutcome.referrers). */
  referrers: ReferrerCounts;
}

/** A registry's outcome before anything happened: nothing copied, listed or refused yet. */
export function emptyOutcome(registry: string, startedAt: number): RegistryOutcome {
  return {
    registry,
    ok: true,
    copied: 0,
    upToDate: 0,
    failed: 0,
    cancelled: 0,
    bytes: 0,
    startedAt,
    durationMs: 0,
    invalidLines: [],
    selectionProblems: [],
    images: [],
    referrers: { copied: 0, present: 0, failed: 0 },
  };
}

/** One problem of a registry's selection, as the run keeps it. */
export interface SelectionProblemOutcome {
  code: string;
  severity: 'error' | 'warning';
  /** The rule's label: `mirrors[0]`, `images[2]`, `syncer script line 4`. */
  rule: string;
  message: string;
}

/** `failed` counts images; problems of the image lists are counted apart, below. */
export interface RunOutcome extends ImageCounts {
  ok: boolean;
  dryRun: boolean;
  /** Registries whose syncer script failed (none of their images were listed). */
  scriptFailures: number;
  /** Lines of syncer scripts that were not image references. */
  invalidLines: number;
  /** Selection problems of severity `error` (a catalog not offered, a collision, ...). */
  selectionErrors: number;
  startedAt: number;
  durationMs: number;
  registries: RegistryOutcome[];
  /** What followed the images of every registry. */
  referrers: ReferrerCounts;
}

/** Adds up registry outcomes into the run's totals. */
export function totalOutcome(registries: RegistryOutcome[], startedAt: number, dryRun: boolean): RunOutcome {
  const sum = (pick: (r: RegistryOutcome) => number) => registries.reduce((n, r) => n + pick(r), 0);
  return {
    ok: registries.every((r) => r.ok),
    dryRun,
    copied: sum((r) => r.copied),
    upToDate: sum((r) => r.upToDate),
    failed: sum((r) => r.failed),
    cancelled: sum((r) => r.cancelled),
    ...(sum((r) => r.skipped ?? 0) > 0 ? { skipped: sum((r) => r.skipped ?? 0) } : {}),
    scriptFailures: sum((r) => (r.scriptError ? 1 : 0)),
    invalidLines: sum((r) => r.invalidLines.length),
    selectionErrors: sum((r) => selectionErrorCount(r)),
    bytes: sum((r) => r.bytes),
    startedAt,
    durationMs: Date.now() - startedAt,
    registries,
    referrers: registries.reduce((total, r) => {
      addReferrers(total, r.referrers);
      return total;
    }, noReferrers()),
  };
}

/** A script failure in one line: what happened, and the last thing the script said on stderr. */
export function scriptFailureSummary(failure: { message: string; stderrTail: readonly string[] }): string {
  const last = failure.stderrTail.at(-1);
  return last ? `${failure.message}: ${last}` : failure.message;
}

/** A registry's selection problems that fail its run. */
export function selectionErrorCount(outcome: Pick<RegistryOutcome, 'selectionProblems'>): number {
  return outcome.selectionProblems.filter((p) => p.severity === 'error').length;
}
