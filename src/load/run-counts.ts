import type { ReferrerCounts } from '../copy/index.js';
import type { LoadEvent } from './events.js';
import type { ImageOutcome } from './run-outcome.js';

/** How the images of a run (or of one registry of it) ended, and the blob bytes they moved. */
export interface ImageCounts {
  copied: number;
  upToDate: number;
  failed: number;
  /** Images not copied because the run was stopped (not failures). */
  cancelled: number;
  /** Images a platform filter that skips left out (not failures; optional: not kept in the run history). */
  skipped?: number;
  bytes: number;
}

/** What a finished registry or run reports about itself (registry-finished, run-finished). */
export interface FinishedCounts extends ImageCounts {
  durationMs: number;
  ok: boolean;
  /** Problems of the image lists, counted apart from images (optional: events built in code). */
  scriptFailures?: number;
  invalidLines?: number;
  /** Selection problems of severity `error` (optional, as above). */
  selectionErrors?: number;
  /** Signatures, attestations and SBOMs that followed the images (optional, as above). */
  referrers?: ReferrerCounts;
}

/** How a dry run's planned action counts: as the image's outcome would (a platform skip is a skip, not a failure). */
export function plannedStatus(action: Extract<LoadEvent, { type: 'image-planned' }>['action']): ImageOutcome['status'] {
  return action === 'copy' ? 'would-copy' : action === 'up-to-date' ? 'up-to-date' : action === 'skip' ? 'skipped' : 'failed';
}

/** No referrers yet. */
export const noReferrers = (): ReferrerCounts => ({ copied: 0, present: 0, failed: 0 });

/** `{ referrers }` for a finished event when any were found; nothing when none were (or none were looked for). */
export function referrersFound(referrers: ReferrerCounts): { referrers?: ReferrerCounts } {
  return referrers.copied + referrers.present + referrers.failed > 0 ? { referrers } : {};
}

/** `total` plus `more`, in place. */
export function addReferrers(total: ReferrerCounts, more: ReferrerCounts | undefined): void {
  if (!more) return;
  total.copied += more.copied;
  total.present += more.present;
  total.failed += more.failed;
}

/**
 * The one place images are counted. A load run adds its images' outcomes; the displays add the
 * events that end an image (and the image lists' problems), then take a finished run's own counts
 * when they come, as those also cover events a display never saw.
 */
export class RunCounter implements ImageCounts {
  copied = 0;
  upToDate = 0;
  failed = 0;
  cancelled = 0;
  skipped = 0;
  bytes = 0;
  /** Dry run only: images a real run would copy. */
  wouldCopy = 0;
  scriptFailures = 0;
  invalidLines = 0;
  selectionErrors = 0;
  /** What followed the images, counted apart from them. */
  referrers = noReferrers();

  /** One image's outcome, and what followed it. */
  add(status: ImageOutcome['status'], bytes: number, referrers?: ReferrerCounts): void {
    addReferrers(this.referrers, referrers);
    if (status === 'copied') this.copied++;
    else if (status === 'up-to-date') this.upToDate++;
    else if (status === 'failed') this.failed++;
    else if (status === 'cancelled') this.cancelled++;
    else if (status === 'skipped') this.skipped++;
    else this.wouldCopy++;
    this.bytes += bytes;
  }

  /** Counts what `event` ends (an image, or a line, script or selection error of an image list); others change nothing. */
  addEvent(event: LoadEvent): void {
    switch (event.type) {
      case 'image-done':
        return this.add('copied', event.bytes, event.referrers);
      case 'image-skipped':
        return this.add(event.reason === 'platform' ? 'skipped' : 'up-to-date', 0, event.referrers);
      case 'image-failed':
        return this.add('failed', 0);
      case 'image-retry-pass':
        // Tried again: their failure is not final; the retry ends them anew.
        this.failed = Math.max(0, this.failed - event.images.length);
        return;
      case 'image-cancelled':
        return this.add('cancelled', 0);
      case 'image-planned':
        return this.add(plannedStatus(event.action), 0);
      case 'registry-script-failed':
        this.scriptFailures++;
        return;
      case 'registry-line-invalid':
        this.invalidLines++;
        return;
      case 'selection-problem':
        if (event.severity === 'error') this.selectionErrors++;
        return;
      default:
        return;
    }
  }

  /** A finished registry's or run's own counts replace what was added up here. */
  settle(final: FinishedCounts): void {
    ({ copied: this.copied, upToDate: this.upToDate, failed: this.failed, cancelled: this.cancelled, bytes: this.bytes } = final);
    this.skipped = final.skipped ?? this.skipped;
    this.scriptFailures = final.scriptFailures ?? this.scriptFailures;
    this.invalidLines = final.invalidLines ?? this.invalidLines;
    this.selectionErrors = final.selectionErrors ?? this.selectionErrors;
    if (final.referrers) this.referrers = { ...final.referrers };
  }

  /** The image counts alone (what a run outcome stores). */
  images(): ImageCounts {
    const { copied, upToDate, failed, cancelled, skipped, bytes } = this;
    return { copied, upToDate, failed, cancelled, ...(skipped > 0 ? { skipped } : {}), bytes };
  }
}
