import type { Reference } from '../reference/index.js';
import type { ContentRepository, FetchedManifest, MissingPlatforms, Platform } from '../registry/index.js';
import type { ImageCheck } from './check-image.js';
import { checkImagePlatform, selectPlatforms } from './platform-selection.js';
import { fetchSourceOrTarget } from './resolve.js';
import { targetHolds } from './target-holds.js';

export interface PlatformPlanInput {
  source: Reference;
  target: Reference;
  sourceRepo: ContentRepository;
  targetRepo: ContentRepository;
  /** The no-change check's answer (with a filter it is always `copy`: HEADs cannot tell). */
  check: ImageCheck;
  platforms: readonly Platform[];
  missing?: MissingPlatforms | undefined;
  force: boolean;
}

/** What a filtered copy would do: `skip` (none of the platforms asked for, `note` says why), as image-copier.ts decides. */
export interface PlatformPlan {
  action: 'copy' | 'up-to-date' | 'skip';
  note?: string;
  /** The source manifest read to decide (the dry run's referrers step reads it from here). */
  manifest: FetchedManifest;
}

/**
 * A dry run with a platform filter says what the copy would do, not just `copy`: the source index
 * (or, for a single-platform image, its config) is read and the filter applied exactly as the copy
 * applies it (image-copier.ts), so an image the copy would skip is planned as skipped with the
 * same note, one whose filtered manifest is already at the target tag as up to date, and one
 * missing a platform asked for (`missing: fail`) fails with the copy's error.
 */
export async function planPlatforms(input: PlatformPlanInput): Promise<PlatformPlan> {
  const { source, target, sourceRepo, targetRepo, check, platforms, missing, force } = input;
  const shown = source.toString();
  const manifest = check.manifest ?? (await fetchSourceOrTarget(sourceRepo, targetRepo, check.digest, shown));
  // Whether the target tag already holds what the filter writes (a filter that keeps the image whole
  // too); a failed HEAD fails the plan, as it fails the copy.
  const atTarget = async (written: string): Promise<'copy' | 'up-to-date'> =>
    (await targetHolds(targetRepo, target, written, force)) ? 'up-to-date' : 'copy';
  const parsed = manifest.parsed;
  if (parsed.kind === 'image') {
    const config = await sourceRepo.readBlob(parsed.config.digest, parsed.config.size);
    const note = checkImagePlatform(config, platforms, shown, missing);
    return note === undefined ? { action: await atTarget(manifest.digest), manifest } : { action: 'skip', note, manifest };
  }
  const selection = selectPlatforms(manifest as FetchedManifest & { parsed: { kind: 'index' } }, platforms, shown, missing);
  if (selection.kind === 'none') return { action: 'skip', note: selection.note, manifest };
  const written =
    selection.kind === 'whole' ? manifest.digest : selection.kind === 'child' ? selection.descriptor.digest : selection.digest;
  return { action: await atTarget(written), manifest };
}
